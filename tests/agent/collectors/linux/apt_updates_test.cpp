// The apt_updates collector: pending and security updates from apt's update lists.
#include <catch2/catch.hpp>
#include <fstream>

#include "agent/collectors/linux/apt_updates.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"
#include "tests/agent/collectors/linux/write_compressed_list.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage::agent;
using testing::find_if;

TEST_CASE("apt_updates: desktop pending and security updates", "[apt_updates][fixture][desktop]") {
  auto sw = testing::fixture_collect("desktop", "apt_updates").software();
  const auto& up = sw.updates();
  CHECK(up.manager() == "apt");
  CHECK(up.pending_count() == 4);
  CHECK(up.security_count() == 3);
  CHECK(up.complete());
  const auto* openssl = find_if(up.pending(), [](auto& u) { return u.name() == "openssl"; });
  REQUIRE(openssl);
  CHECK(openssl->installed_version() == "3.0.2-0ubuntu1.10");
  CHECK(openssl->candidate_version() == "3.0.2-0ubuntu1.15");
  CHECK(openssl->security());
  CHECK(openssl->suite() == "jammy-security");
  const auto* tz = find_if(up.pending(), [](auto& u) { return u.name() == "tzdata"; });
  REQUIRE(tz);
  CHECK_FALSE(tz->security());
  CHECK(tz->arch() == "all");
  CHECK_FALSE(
      find_if(up.pending(), [](auto& u) { return u.name() == "bash"; }));  // older candidate
}

TEST_CASE("apt_updates: the Packages parser survives hostile input",
          "[apt_updates][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_packages_list(input);
  SUCCEED();
}

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("apt_updates: lz4 and xz pockets are read on a machine without the lz4 or xz programs",
          "[apt_updates][fixture]") {
  // The desktop fixture's pockets, compressed as Debian's apt stores them; the fixture host
  // lists no decompressor program, so only in-process decompression can read them.
  triage::testing::TempDir root;
  const std::filesystem::path desktop = testing::fixture_root("desktop");
  const std::filesystem::path lists = "var/lib/apt/lists";
  std::filesystem::create_directories(root.path() / lists);
  std::filesystem::create_directories(root.path() / "var/lib/dpkg");
  std::filesystem::copy_file(desktop / "var/lib/dpkg/status", root.path() / "var/lib/dpkg/status");
  std::filesystem::copy_file(
      desktop / lists / "archive.ubuntu.com_ubuntu_dists_jammy-updates_InRelease",
      root.path() / lists / "archive.ubuntu.com_ubuntu_dists_jammy-updates_InRelease");
  const std::string security =
      "security.ubuntu.com_ubuntu_dists_jammy-security_main_binary-amd64_Packages";
  const std::string updates =
      "archive.ubuntu.com_ubuntu_dists_jammy-updates_main_binary-amd64_Packages";
  testing::write_compressed_list(root.path() / lists / (security + ".lz4"), "lz4",
                                 slurp(desktop / lists / security));
  testing::write_compressed_list(root.path() / lists / (updates + ".xz"), "xz",
                                 slurp(desktop / lists / updates));

  triage::agent::SnapshotOptions options;
  options.sysroot = root.path().string();
  const triage::agent::CollectorSpec* spec = nullptr;
  for (const auto& s : triage::agent::collector_catalog()) {
    if (s.name == "apt_updates") spec = &s;
  }
  REQUIRE(spec);
  auto snap = triage::agent::SnapshotTaker(options, std::span(spec, 1), nullptr).take();
  const auto& up = snap.software().updates();
  CHECK(up.pending_count() == 4);
  CHECK(up.security_count() == 3);
  CHECK(up.complete());
}
