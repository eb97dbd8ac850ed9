// The systemd_units collector: system state, services and failed units.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/systemd_units.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;
using triage::v1::CollectorStatus;
namespace v1 = triage::v1;

TEST_CASE("systemd_units: desktop degraded by failed units", "[systemd_units][fixture][desktop]") {
  auto sw = testing::fixture_collect("desktop", "systemd_units").software();
  const auto& svc = sw.services();
  CHECK(svc.systemd_running());
  CHECK(svc.system_state() == "degraded");
  CHECK(svc.failed_count() == 2);
  REQUIRE(svc.units_size() == 6);  // 5 services + the failed mount
  const auto* snapd = find_if(svc.units(), [](auto& u) { return u.name() == "snapd.service"; });
  REQUIRE(snapd);
  CHECK(snapd->active_state() == v1::ServiceUnit::FAILED);
  CHECK(snapd->description() == "Snap Daemon");
  CHECK(find_if(svc.units(), [](auto& u) { return u.name() == "mnt-backup.mount"; }));
  CHECK_FALSE(find_if(svc.units(), [](auto& u) { return u.name() == "data.mount"; }));
}

TEST_CASE("systemd_units: server running", "[systemd_units][fixture][server]") {
  auto sw = testing::fixture_collect("server-raid", "systemd_units").software();
  CHECK(sw.services().system_state() == "running");
  CHECK(sw.services().failed_count() == 0);
}

TEST_CASE("systemd_units: a container without systemd says why",
          "[systemd_units][fixture][container]") {
  auto snap = testing::fixture_collect("container", "systemd_units");
  CHECK_FALSE(snap.software().services().systemd_running());
  auto units = testing::status_of(snap, "systemd_units");
  CHECK(units.outcome() == CollectorStatus::UNAVAILABLE);
  CHECK(units.message() == "systemd not running (PID 1 is sh)");
}

TEST_CASE("systemd_units: the list-units parser survives hostile input",
          "[systemd_units][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_list_units(input);
  SUCCEED();
}
