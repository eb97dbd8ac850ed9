// windows_monitors: the laptop's panel (no friendly name), a Dell monitor and a TV seen before,
// a server without a monitor, and EDID text of the wrong shape.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_monitors: a panel and a docked monitor",
          "[windows_monitors][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_monitors");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& monitors = snap.hardware().monitors();
  REQUIRE(monitors.size() == 3);
  CHECK(monitors[0].id() == "DISPLAY\\LEN40BA\\4&2a8d6b0e&0&UID8388688");
  CHECK(monitors[0].manufacturer() == "Lenovo");
  CHECK(monitors[0].model() == "Lenovo 40BA");
  CHECK(monitors[0].serial().empty());
  CHECK(monitors[0].year_of_manufacture() == 2022);
  CHECK(monitors[0].active());
  CHECK(monitors[1].id() == "DISPLAY\\DELA1F1\\5&1c7e3b2a&0&UID4352");
  CHECK(monitors[1].manufacturer() == "Dell");
  CHECK(monitors[1].model() == "DELL U2722D");
  CHECK(monitors[1].serial() == "7XKWTH3");
  CHECK(monitors[2].model() == "SAMSUNG");
  CHECK_FALSE(monitors[2].active());
}

TEST_CASE("windows_monitors: a server without a monitor",
          "[windows_monitors][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_monitors");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.hardware().monitors_size() == 0);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("no monitor"));
}

TEST_CASE("windows_monitors: hostile rows", "[windows_monitors]") {
  testing::ScratchMachine m;
  m.write("wmi/root_wmi/WmiMonitorID.json",
          R"([{"InstanceName": "DISPLAY\\ABC1234\\1&2&3", "ManufacturerName": "XYZ",
               "UserFriendlyName": [72, 105, 300, "x", 33], "SerialNumberID": {"a": 1},
               "YearOfManufacture": 1850, "Active": "yes"},
              {"InstanceName": 5}, {}, [1, 2]])");
  auto snap = m.collect("windows_monitors");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  REQUIRE(snap.hardware().monitors_size() == 2);
  const auto& a = snap.hardware().monitors(0);
  CHECK(a.id() == "DISPLAY\\ABC1234\\1&2&3");  // no "_0" to take off
  CHECK(a.manufacturer() == "XYZ");
  CHECK(a.model() == "Hi?");  // stops at the first value that is not a number
  CHECK(a.serial().empty());
  CHECK_FALSE(a.has_year_of_manufacture());
  CHECK(a.active());
  CHECK(snap.hardware().monitors(1).id() == "5");
}
