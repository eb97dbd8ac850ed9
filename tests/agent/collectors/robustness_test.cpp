// Malformed machines: every file a collector reads replaced by empty, binary or huge content.
// Nothing may crash, throw out of a collector, or produce an unserializable snapshot.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "agent/collectors/linux/collectors.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
namespace fs = std::filesystem;

namespace {

std::string hostile_content(const std::string& kind, std::mt19937& rng) {
  if (kind == "empty") return {};
  if (kind == "binary") {
    std::string s(8192, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  }
  if (kind == "huge-line") return std::string(3 * 1024 * 1024, 'x');
  // Truncated: valid-looking prefixes cut mid-record.
  return "MemTotal: 12\nprocessor\t: 0\nPackage: half\nStatus: install ok inst\n3,1,5;Out of "
         "memory: Killed process (";
}

}  // namespace

TEST_CASE("Hostile fixture trees never crash a snapshot", "[robustness]") {
  auto kind = GENERATE(as<std::string>{}, "empty", "binary", "huge-line", "truncated");
  std::mt19937 rng(7);
  fs::path dir =
      fs::temp_directory_path() / ("triage-hostile-" + std::to_string(::getpid()) + "-" + kind);
  fs::remove_all(dir);
  fs::copy(testing::fixture_root("desktop"), dir,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  for (auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.is_symlink()) continue;
    std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << hostile_content(kind, rng);
  }
  SnapshotOptions options;
  options.sysroot = dir;
  auto snap = SnapshotTaker(options).take();
  fs::remove_all(dir);

  CAPTURE(kind);
  CHECK(snap.collectors_size() == static_cast<int>(collector_catalog().size()));
  for (const auto& c : snap.collectors()) {
    CAPTURE(c.name(), c.message());
    CHECK(c.message().find("internal error") == std::string::npos);
  }
  std::string bytes;
  REQUIRE(snap.SerializeToString(&bytes));
  triage::v1::Snapshot back;
  REQUIRE(back.ParseFromString(bytes));  // every string is valid UTF-8
}

TEST_CASE("More parsers survive hostile input", "[robustness][parsers]") {
  std::mt19937 rng(99);
  std::vector<std::string> inputs = {"", "\n\n", std::string(1 << 20, '('),
                                     std::string(100000, '\t')};
  for (int i = 0; i < 16; ++i) {
    std::string junk(2048 + i * 97, '\0');
    for (auto& c : junk) c = static_cast<char>(rng() % 7 == 0 ? '\n' : rng());
    inputs.push_back(junk);
  }
  for (const auto& in : inputs) {
    (void)parse_utmp(in);
    (void)parse_smartctl_json(in, 0);
    (void)parse_mounts(in);
    (void)lookup_pci_ids(in, {{0x8086, 0x1234}});
    (void)parse_dpkg_status(in);
    (void)parse_rpm_qa(in);
    (void)parse_packages_list(in);
    (void)parse_proc_stat(in);
    (void)parse_list_units(in);
    (void)parse_proc_net_wireless(in);
    (void)parse_proc_net_route(in);
    (void)parse_proc_net_ipv6_route(in);
    (void)parse_resolv_conf(in);
    (void)parse_environment_proxies(in);
    (void)parse_apt_proxies(in);
    (void)parse_kmsg(in);
    (void)count_journal_errors(in);
    (void)parse_lpstat(in, false);
    (void)parse_nft_json(in);
    (void)parse_iptables_save(in);
    (void)parse_dns_response(in, 0);
    (void)compare_debian_versions(in.substr(0, 200), "1.0");
  }
  SUCCEED();
}

TEST_CASE("Debian version ordering follows dpkg", "[parsers]") {
  using Row = std::tuple<std::string, std::string, int>;
  auto [a, b, want] = GENERATE(
      Row{"1.0", "1.0", 0}, Row{"1.0", "1.1", -1}, Row{"1.10", "1.9", 1}, Row{"1.0~rc1", "1.0", -1},
      Row{"1:0.9", "2.0", 1}, Row{"2.35-0ubuntu3.8", "2.35-0ubuntu3.7", 1},
      Row{"3.0.2-0ubuntu1.15", "3.0.2-0ubuntu1.10", 1}, Row{"1.0a", "1.0", 1},
      Row{"1.0-1", "1.0-1+b1", -1}, Row{"5.1-6ubuntu1", "5.1-6ubuntu1.1", -1});
  CAPTURE(a, b);
  CHECK(compare_debian_versions(a, b) == want);
  CHECK(compare_debian_versions(b, a) == -want);
}

TEST_CASE("DNS query packets and answers", "[parsers][probes]") {
  auto q = build_dns_query(0x1234, "debian.org");
  REQUIRE(q.size() == 12 + 12 + 4);
  CHECK(q.substr(12, 12) == std::string("\x06"
                                        "debian\x03org\x00",
                                        12));
  CHECK(build_dns_query(1, std::string(64, 'a') + ".com").empty());
  // A response: header, the question, one A record with a compressed name.
  std::string r =
      std::string("\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00", 12) + q.substr(12) +
      std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\xcb\x00\x71\x50", 16);
  auto a = parse_dns_response(r, 0x1234);
  CHECK(a.valid);
  CHECK(a.rcode == 0);
  CHECK(a.answers == 1);
  CHECK(a.first_ipv4 == "203.0.113.80");
  CHECK_FALSE(parse_dns_response(r, 0x9999).valid);
  r[3] = '\x83';  // NXDOMAIN
  CHECK(parse_dns_response(r, 0x1234).rcode == 3);
}
