// windows_battery: the laptop's worn battery held at 80 % on AC, a server without one, the
// Win32_Battery fallback, relative capacities and hostile rows.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_battery: worn to 54 %", "[windows_battery][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_battery");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& hw = snap.hardware();
  REQUIRE(hw.batteries_size() == 1);
  const auto& b = hw.batteries(0);
  CHECK(b.name() == "BAT0");
  CHECK(b.manufacturer() == "SMP");
  CHECK(b.model() == "5B10W51867");
  CHECK(b.technology() == "Li-poly");
  CHECK(b.health_percent() == Approx(54.0));
  CHECK(b.design_wh() == Approx(57.0));
  CHECK(b.full_wh() == Approx(30.78));
  CHECK(b.cycle_count() == 812);
  CHECK(b.charge_percent() == Approx(80.0));
  // On AC, held below full by the charge threshold.
  CHECK(b.status() == v1::Battery::NOT_CHARGING);
  CHECK(hw.on_ac_power());
}

TEST_CASE("windows_battery: a server has none", "[windows_battery][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_battery");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.hardware().batteries_size() == 0);
  CHECK(snap.hardware().on_ac_power());  // GetSystemPowerStatus: AC online
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("no battery"));
}

TEST_CASE("windows_battery: other drivers and hostile rows", "[windows_battery]") {
  testing::ScratchMachine m("win11-laptop");
  SECTION("discharging") {
    m.write("wmi/root_wmi/BatteryStatus.json",
            R"([{"InstanceName": "ACPI\\PNP0C0A\\1_0", "PowerOnline": false, "Charging": false,
                 "Discharging": true, "RemainingCapacity": 9234}])");
    auto snap = m.collect("windows_battery");
    CHECK(snap.hardware().batteries(0).status() == v1::Battery::DISCHARGING);
    CHECK(snap.hardware().batteries(0).charge_percent() == Approx(30.0).epsilon(0.01));
    CHECK(snap.hardware().has_on_ac_power());
    CHECK_FALSE(snap.hardware().on_ac_power());
  }
  SECTION("relative capacities: a health, no watt-hours") {
    m.write("wmi/root_wmi/BatteryStaticData.json",
            R"([{"InstanceName": "ACPI\\PNP0C0A\\1_0", "DesignedCapacity": 100,
                 "Capabilities": 3221225472}])");
    m.write("wmi/root_wmi/BatteryFullChargedCapacity.json",
            R"([{"InstanceName": "ACPI\\PNP0C0A\\1_0", "FullChargedCapacity": 92}])");
    const auto& b = m.collect("windows_battery").hardware().batteries(0);
    CHECK(b.health_percent() == Approx(92.0));
    CHECK_FALSE(b.has_full_wh());
    CHECK_FALSE(b.has_design_wh());
  }
  SECTION("Win32_Battery alone") {
    m.remove("wmi/root_wmi");
    auto snap = m.collect("windows_battery");
    REQUIRE(snap.hardware().batteries_size() == 1);
    const auto& b = snap.hardware().batteries(0);
    CHECK(b.model() == "5B10W51867");
    CHECK(b.charge_percent() == Approx(80.0));
    CHECK(b.status() == v1::Battery::NOT_CHARGING);
    CHECK_FALSE(b.has_health_percent());
    CHECK(snap.hardware().on_ac_power());
  }
  SECTION("wrong types, a zero design capacity, no cycle count") {
    m.write("wmi/root_wmi/BatteryStaticData.json",
            R"([{"InstanceName": "ACPI\\PNP0C0A\\1_0", "DesignedCapacity": 0,
                 "ManufactureName": 12, "Chemistry": "LION"}, 5, {"InstanceName": null}])");
    m.write("wmi/root_wmi/BatteryCycleCount.json",
            R"([{"InstanceName": "ACPI\\PNP0C0A\\1_0", "CycleCount": 0}])");
    m.write(
        "wmi/root_wmi/BatteryStatus.json",
        R"([{"InstanceName": "ACPI\\PNP0C0A\\1_0", "PowerOnline": "yes", "Charging": [true]}])");
    auto snap = m.collect("windows_battery");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    REQUIRE(snap.hardware().batteries_size() == 1);
    const auto& b = snap.hardware().batteries(0);
    CHECK_FALSE(b.has_health_percent());
    CHECK_FALSE(b.has_cycle_count());
    CHECK(b.technology().empty());
    CHECK(b.manufacturer() == "12");
  }
  SECTION("on battery power, as the system says it") {
    m.remove("wmi/root_wmi");
    m.write("wmi/root_cimv2/Win32_Battery.json", R"([{"Name": "X", "BatteryStatus": 1}])");
    m.write("api/power_status.json", R"({"ac_line_status": 0})");
    auto snap = m.collect("windows_battery");
    CHECK(snap.hardware().batteries(0).status() == v1::Battery::DISCHARGING);
    REQUIRE(snap.hardware().has_on_ac_power());
    CHECK_FALSE(snap.hardware().on_ac_power());
  }
  SECTION("a power status of the wrong type says nothing") {
    testing::ScratchMachine desktop;
    desktop.write("wmi/root_cimv2/Win32_Battery.json", "[]");
    desktop.write("api/power_status.json", R"({"ac_line_status": "online"})");
    CHECK_FALSE(desktop.collect("windows_battery").hardware().has_on_ac_power());
  }
  SECTION("many batteries are capped") {
    std::string rows = "[";
    for (int i = 0; i < 100; ++i)
      rows += (i ? "," : "") + std::string(R"({"InstanceName": "ACPI\\PNP0C0A\\)") +
              std::to_string(i) + R"(_0", "DesignedCapacity": 50000})";
    m.write("wmi/root_wmi/BatteryStaticData.json", rows + "]");
    CHECK(m.collect("windows_battery").hardware().batteries_size() == 8);
  }
}
