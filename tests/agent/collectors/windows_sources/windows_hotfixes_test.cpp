// windows_hotfixes: Win32_QuickFixEngineering on both recorded machines, with the install
// dates' three forms, and hostile rows.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_hotfixes.hpp"
#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/software_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

const v1::Hotfix* find(const v1::Snapshot& snap, const std::string& id) {
  for (const auto& h : snap.software().hotfixes()) {
    if (h.id() == id) return &h;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("windows_hotfixes: InstalledOn as WMI gives it, and its odd forms",
          "[windows_hotfixes]") {
  CHECK(hotfix_installed_on("11/12/2026") == 1794441600000);
  CHECK(hotfix_installed_on("1/5/2026") == 1767571200000);
  CHECK(hotfix_installed_on("20261112") == 1794441600000);
  CHECK(hotfix_installed_on(" 01dbda1319d22d80 ") == 1749565351000);
  CHECK_FALSE(hotfix_installed_on(""));
  CHECK_FALSE(hotfix_installed_on("13/45/2026"));
  CHECK_FALSE(hotfix_installed_on("0000000000000000"));
  CHECK_FALSE(hotfix_installed_on("01dbda1319d22dzz"));
  CHECK_FALSE(hotfix_installed_on("yesterday"));
}

TEST_CASE("windows_hotfixes: the laptop's updates, the newest 41 days old",
          "[windows_hotfixes][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_hotfixes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("1 hotfixes without"));
  const auto& sw = snap.software();
  REQUIRE(sw.hotfixes_size() == 8);
  CHECK(sw.hotfixes(0).id() == "KB5027397");
  CHECK(sw.hotfixes(0).description() == "Update");
  CHECK(sw.hotfixes(0).installed_unix_ms() == 1697068800000);            // 2023-10-12
  CHECK(find(snap, "KB5031274")->installed_unix_ms() == 1749565351000);  // hex FILETIME
  CHECK(find(snap, "KB5032006")->installed_unix_ms() == 0);              // ""
  CHECK(find(snap, "KB5032006")->description() == "Security Update");
  auto* newest = find(snap, "KB5068861");
  REQUIRE(newest);
  CHECK(newest->description() == "Security Update");
  CHECK(newest->installed_unix_ms() == 1792540800000);  // 2026-10-21
  CHECK(sw.updates().last_installed_unix_ms() == 1792540800000);
  // Only the install instant: the update manager is windows_updates' to report.
  CHECK(sw.updates().manager().empty());
  CHECK(sw.updates().pending_size() == 0);
}

TEST_CASE("windows_hotfixes: the server's updates, the newest 6 days old",
          "[windows_hotfixes][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_hotfixes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.collectors(0).message().empty());
  const auto& sw = snap.software();
  CHECK(sw.hotfixes_size() == 8);
  CHECK(find(snap, "KB5012170")->installed_unix_ms() == 1660089600000);  // 2022-08-10
  CHECK(find(snap, "KB5017316")->installed_unix_ms() == 1707901512000);  // hex FILETIME
  CHECK(find(snap, "KB5070884")->description() == "Security Update");
  CHECK(sw.updates().last_installed_unix_ms() == 1795564800000);  // 2026-11-25
}

TEST_CASE("windows_hotfixes: hostile rows", "[windows_hotfixes]") {
  testing::ScratchMachine m;
  m.write("wmi/root_cimv2/Win32_QuickFixEngineering.json", R"([
    {"HotFixID": "KB1", "Description": "Update", "InstalledOn": "1/2/2026"},
    {"HotFixID": "kb1", "Description": "Update", "InstalledOn": "1/3/2026"},
    {"HotFixID": "", "Description": "Update", "InstalledOn": "1/4/2026"},
    {"HotFixID": null},
    {"HotFixID": 42, "Description": ["x"], "InstalledOn": 20260105},
    {"HotFixID": "KB-future", "InstalledOn": "1/1/2031"},
    "not an object",
    {"HotFixID": "KBLONG", "Description": ")" + std::string(1000, 'd') +
                                                               R"("}
  ])");
  auto snap = m.collect("windows_hotfixes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sw = snap.software();
  REQUIRE(sw.hotfixes_size() == 4);
  CHECK(sw.hotfixes(0).id() == "KB1");
  CHECK(sw.hotfixes(0).installed_unix_ms() == 1767312000000);
  CHECK(sw.hotfixes(1).id() == "42");
  CHECK(sw.hotfixes(1).installed_unix_ms() == 1767571200000);
  CHECK(sw.hotfixes(2).installed_unix_ms() == 1924992000000);
  CHECK(sw.hotfixes(3).description().size() <= 128);
  // A date past the snapshot's instant is listed, but is not the last install.
  CHECK(sw.updates().last_installed_unix_ms() == 1767571200000);
}

TEST_CASE("windows_hotfixes: a recording that is not a list fails clearly", "[windows_hotfixes]") {
  testing::ScratchMachine m;
  m.write("wmi/root_cimv2/Win32_QuickFixEngineering.json", R"({"HotFixID": "KB1"})");
  auto snap = m.collect("windows_hotfixes");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("Win32_QuickFixEngineering"));
}

TEST_CASE("windows_hotfixes: no WMI class is unavailable", "[windows_hotfixes]") {
  testing::ScratchMachine m;
  auto snap = m.collect("windows_hotfixes");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
  CHECK_FALSE(snap.has_software());
}
