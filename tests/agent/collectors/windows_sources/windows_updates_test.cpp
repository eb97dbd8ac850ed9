// windows_updates: the Windows Update Agent's answer on both recorded machines, and broken or
// hostile answers.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/software_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_updates: the laptop has 3 updates pending, 2 of them security fixes",
          "[windows_updates][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_updates");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& up = snap.software().updates();
  CHECK(up.manager() == "Windows Update");
  CHECK(up.pending_count() == 3);
  CHECK(up.security_count() == 2);
  CHECK(up.complete());
  CHECK(up.note().empty());
  // Last install 41 days before the recording instant (2026-12-01T12:00Z).
  CHECK(up.last_installed_unix_ms() == 1792584000000);
  CHECK(1796126400000 - up.last_installed_unix_ms() == 41LL * 86400000);
  CHECK(up.last_search_unix_ms() == 1796126305000);
  CHECK(up.lists_updated_unix_ms() == 1796126305000);
  REQUIRE(up.pending_size() == 3);
  CHECK(up.pending(0).name() ==
        "2026-11 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5070883)");
  CHECK(up.pending(0).candidate_version() == "KB5070883");
  CHECK(up.pending(0).security());
  CHECK(up.pending(0).suite() == "Security Updates");
  CHECK(up.pending(1).candidate_version() == "KB5070917");
  CHECK(up.pending(1).security());
  // Defender's signatures: a definition update, not a security fix.
  CHECK(up.pending(2).candidate_version() == "KB2267602");
  CHECK_FALSE(up.pending(2).security());
  CHECK(up.pending(2).suite() == "Definition Updates");
}

TEST_CASE("windows_updates: the server is up to date, last install 6 days ago",
          "[windows_updates][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_updates");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& up = snap.software().updates();
  CHECK(up.manager() == "Windows Update");
  REQUIRE(up.has_pending_count());
  CHECK(up.pending_count() == 0);
  REQUIRE(up.has_security_count());
  CHECK(up.security_count() == 0);
  CHECK(up.pending_size() == 0);
  CHECK(up.last_installed_unix_ms() == 1795608000000);
  CHECK(1796126400000 - up.last_installed_unix_ms() == 6LL * 86400000);
  CHECK(up.complete());
}

TEST_CASE("windows_updates: the history's instant replaces the hotfixes' day",
          "[windows_updates][recorded][win11-laptop]") {
  auto snap = testing::recorded_snapshot("win11-laptop");
  CHECK(snap.software().updates().last_installed_unix_ms() == 1792584000000);
  CHECK(snap.software().updates().manager() == "Windows Update");
}

TEST_CASE("windows_updates: an offline search says so", "[windows_updates]") {
  testing::ScratchMachine m;
  m.write("api/windows_update.json", R"json({
    "searched_unix_ms": 1796126000000, "online": false,
    "online_error": "WU_E_PT_WINHTTP_NAME_NOT_RESOLVED (0x80244021)",
    "updates": [{"title": "An update", "kb": ["5000001"], "severity": "Moderate"}],
    "history_error": "0x80070005"})json");
  auto snap = m.collect("windows_updates");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& up = snap.software().updates();
  CHECK(up.pending_count() == 1);
  CHECK(up.security_count() == 1);  // an MSRC severity means a security fix
  CHECK(up.last_search_unix_ms() == 1796126000000);
  // Not a refresh of the catalog: the lists' age stays unknown.
  CHECK(up.lists_updated_unix_ms() == 0);
  CHECK_THAT(up.note(), Catch::Contains("0x80244021"));
  CHECK(up.last_installed_unix_ms() == 0);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("0x80070005"));
}

TEST_CASE("windows_updates: hostile answers", "[windows_updates]") {
  SECTION("not an object") {
    testing::ScratchMachine m;
    m.write("api/windows_update.json", "[1, 2]");
    auto snap = m.collect("windows_updates");
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
    CHECK_FALSE(snap.software().updates().has_pending_count());
  }
  SECTION("updates of the wrong type") {
    testing::ScratchMachine m;
    m.write("api/windows_update.json", R"({"updates": "none"})");
    auto snap = m.collect("windows_updates");
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("no list of updates"));
  }
  SECTION("items of every wrong type") {
    testing::ScratchMachine m;
    m.write("api/windows_update.json", R"({
      "searched_unix_ms": -5, "last_install_unix_ms": "soon",
      "updates": [7, {"title": 12, "kb": "5000001", "categories": [1, "Security Updates"]},
                  {"kb": [], "severity": {"x": 1}, "categories": {}}]})");
    auto snap = m.collect("windows_updates");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& up = snap.software().updates();
    CHECK(up.pending_count() == 2);
    CHECK(up.security_count() == 1);
    CHECK(up.pending(0).name() == "12");
    CHECK(up.pending(0).candidate_version().empty());
    CHECK(up.last_search_unix_ms() == 0);
    CHECK(up.last_installed_unix_ms() == 0);
  }
  SECTION("thousands of updates are counted, a few hundred listed") {
    testing::ScratchMachine m;
    std::string list;
    for (int i = 0; i < 700; ++i) {
      list += std::string(i ? "," : "") + R"({"title": "U)" + std::to_string(i) + R"(", "kb": [")" +
              std::to_string(5000000 + i) + R"("], "severity": "Low"})";
    }
    m.write("api/windows_update.json", R"({"updates": [)" + list + "]}");
    auto snap = m.collect("windows_updates");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& up = snap.software().updates();
    CHECK(up.pending_count() == 700);
    CHECK(up.security_count() == 700);
    CHECK(up.pending_size() == 500);
    CHECK_FALSE(up.complete());
  }
}

TEST_CASE("windows_updates: no Windows Update Agent is unavailable", "[windows_updates]") {
  testing::ScratchMachine m;
  auto snap = m.collect("windows_updates");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
}
