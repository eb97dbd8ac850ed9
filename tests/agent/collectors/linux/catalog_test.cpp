// The Linux catalog as a whole against the fixture machines: every collector ends OK or
// UNAVAILABLE, and hostile trees cost no collector more than its own output.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
using triage::v1::CollectorStatus;
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

TEST_CASE("every fixture collects with no failed or over-budget collector", "[fixture]") {
  auto machine = GENERATE(as<std::string>{}, "desktop", "laptop", "server-raid", "container");
  auto snap = testing::fixture_snapshot(machine);
  CHECK(snap.collectors_size() == static_cast<int>(collector_catalog().size()));
  for (const auto& c : snap.collectors()) {
    CAPTURE(machine, c.name(), c.message());
    if (c.outcome() == CollectorStatus::OVER_BUDGET)
      WARN("over budget (timing, not asserted): " << c.name());
    else
      CHECK((c.outcome() == CollectorStatus::OK || c.outcome() == CollectorStatus::UNAVAILABLE));
  }
  CHECK(snap.system().hostname().size() > 0);
  CHECK(snap.hardware().memory().total_bytes() > 0);
}

TEST_CASE("minimal container: what exists is reported, the rest is named", "[fixture][container]") {
  auto snap = testing::fixture_snapshot("container");
  // Nothing failed: absent sources are UNAVAILABLE, never FAILED.
  for (const auto& c : snap.collectors()) {
    CAPTURE(c.name(), c.message());
    CHECK(c.outcome() != CollectorStatus::FAILED);
  }
}

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
