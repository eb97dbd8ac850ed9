// windows_services: the Service Control Manager's answer on both recorded machines (the
// server's Print Spooler stopped with an error), and hostile answers.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/software_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

const v1::ServiceUnit* find(const v1::Snapshot& snap, const std::string& name) {
  for (const auto& u : snap.software().services().units()) {
    if (u.name() == name) return &u;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("windows_services: the server's Print Spooler stopped with exit code 1067",
          "[windows_services][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_services");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& svc = snap.software().services();
  CHECK(svc.manager() == "Service Control Manager");
  CHECK(svc.units_size() == 53);
  CHECK(svc.stopped_auto_start() == 1);
  CHECK(svc.failed_count() == 1);
  CHECK_FALSE(svc.systemd_running());

  auto* spooler = find(snap, "Spooler");
  REQUIRE(spooler);
  CHECK(spooler->description() == "Print Spooler");
  CHECK(spooler->active_state() == v1::ServiceUnit::INACTIVE);
  CHECK(spooler->sub_state() == "stopped");
  CHECK(spooler->start_type() == v1::ServiceUnit::AUTO);
  CHECK_FALSE(spooler->trigger_start());
  CHECK(spooler->exit_code() == 1067);

  auto* sql = find(snap, "MSSQLSERVER");
  REQUIRE(sql);
  CHECK(sql->description() == "SQL Server (MSSQLSERVER)");
  CHECK(sql->active_state() == v1::ServiceUnit::ACTIVE);
  CHECK(sql->sub_state() == "running");
  CHECK(sql->start_type() == v1::ServiceUnit::AUTO);
  CHECK(sql->exit_code() == 0);

  // Stopped automatic services that are normal: started on a trigger, or done by design.
  auto* sppsvc = find(snap, "sppsvc");
  REQUIRE(sppsvc);
  CHECK(sppsvc->start_type() == v1::ServiceUnit::AUTO_DELAYED);
  CHECK(sppsvc->trigger_start());
  CHECK(sppsvc->active_state() == v1::ServiceUnit::INACTIVE);
  auto* maps = find(snap, "MapsBroker");
  REQUIRE(maps);
  CHECK(maps->start_type() == v1::ServiceUnit::AUTO_DELAYED);
  CHECK_FALSE(maps->trigger_start());

  auto* browser = find(snap, "SQLBrowser");
  REQUIRE(browser);
  CHECK(browser->start_type() == v1::ServiceUnit::DISABLED);
  CHECK(browser->exit_code() == 1077);
  CHECK(find(snap, "W32Time")->start_type() == v1::ServiceUnit::MANUAL);
  CHECK(find(snap, "W32Time")->trigger_start());
  // Its configuration was not readable.
  CHECK(find(snap, "NetTcpPortSharing")->start_type() == v1::ServiceUnit::START_UNKNOWN);
}

TEST_CASE("windows_services: the laptop's automatic services all run but a trigger-started one",
          "[windows_services][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_services");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& svc = snap.software().services();
  CHECK(svc.units_size() == 54);
  CHECK(svc.stopped_auto_start() == 0);
  CHECK(svc.failed_count() == 0);
  auto* tiles = find(snap, "tiledatamodelsvc");
  REQUIRE(tiles);
  CHECK(tiles->start_type() == v1::ServiceUnit::AUTO);
  CHECK(tiles->trigger_start());
  CHECK(tiles->sub_state() == "stopped");
  auto* search = find(snap, "WSearch");
  REQUIRE(search);
  CHECK(search->start_type() == v1::ServiceUnit::AUTO_DELAYED);
  CHECK(search->active_state() == v1::ServiceUnit::ACTIVE);
  CHECK(find(snap, "Spooler")->sub_state() == "running");
  CHECK(find(snap, "vpnagent")->description() == "Cisco Secure Client - AnyConnect VPN Agent");
  CHECK(find(snap, "RemoteRegistry")->start_type() == v1::ServiceUnit::DISABLED);
}

TEST_CASE("windows_services: states, service-specific exit codes and hostile items",
          "[windows_services]") {
  testing::ScratchMachine m;
  m.write("api/services.json", R"({"services": [
    {"name": "A", "current_state": 2, "start_type": 2},
    {"name": "B", "current_state": 3, "start_type": 2, "win32_exit_code": 0},
    {"name": "C", "current_state": 7, "start_type": 3},
    {"name": "D", "current_state": 1, "start_type": 2, "delayed_auto_start": 1,
     "win32_exit_code": 1066, "service_specific_exit_code": 3},
    {"name": "E", "current_state": 1, "start_type": 2, "win32_exit_code": 1077},
    {"name": "clr_optimization_v4.0.30319_64", "current_state": 1, "start_type": 2,
     "delayed_auto_start": true, "win32_exit_code": 0},
    {"name": "F", "current_state": 99, "start_type": "two", "trigger_start": "yes"},
    {"name": ""}, {"display_name": "no name"}, 12, null,
    {"name": "G", "display_name": ")" +
                                   std::string(2000, 'g') + R"("}
  ], "truncated": true})");
  auto snap = m.collect("windows_services");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("cut short"));
  const auto& svc = snap.software().services();
  REQUIRE(svc.units_size() == 8);
  CHECK(find(snap, "A")->active_state() == v1::ServiceUnit::ACTIVATING);
  CHECK(find(snap, "A")->sub_state() == "start pending");
  CHECK(find(snap, "B")->active_state() == v1::ServiceUnit::DEACTIVATING);
  CHECK(find(snap, "C")->active_state() == v1::ServiceUnit::ACTIVE);
  CHECK(find(snap, "C")->sub_state() == "paused");
  CHECK(find(snap, "D")->exit_code() == 3);
  CHECK(find(snap, "D")->start_type() == v1::ServiceUnit::AUTO_DELAYED);
  CHECK(find(snap, "F")->active_state() == v1::ServiceUnit::ACTIVE_STATE_UNKNOWN);
  CHECK(find(snap, "F")->start_type() == v1::ServiceUnit::START_UNKNOWN);
  CHECK_FALSE(find(snap, "F")->trigger_start());
  CHECK(find(snap, "G")->description().size() <= 256);
  // B (stopping), D (failed) and E (never started) are automatic and not running; .NET's
  // optimization service stops by design.
  CHECK(svc.stopped_auto_start() == 3);
  CHECK(svc.failed_count() == 1);
}

TEST_CASE("windows_services: broken answers fail clearly", "[windows_services]") {
  for (std::string answer : {R"({"services": {}})", R"("nothing")", R"({})"}) {
    testing::ScratchMachine m;
    m.write("api/services.json", answer);
    auto snap = m.collect("windows_services");
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("no list of services"));
  }
  testing::ScratchMachine none;
  CHECK(none.collect("windows_services").collectors(0).outcome() ==
        v1::CollectorStatus::UNAVAILABLE);
}
