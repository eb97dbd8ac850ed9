// The battery collector: system batteries and AC power.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/battery.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("battery: a desktop has none", "[battery][fixture][desktop]") {
  auto hw = testing::fixture_collect("desktop", "battery").hardware();
  CHECK(hw.batteries_size() == 0);
  CHECK_FALSE(hw.has_on_ac_power());
}

TEST_CASE("battery: laptop battery worn to half, on battery", "[battery][fixture][laptop]") {
  auto hw = testing::fixture_collect("laptop", "battery").hardware();
  REQUIRE(hw.batteries_size() == 1);  // the mouse battery is a peripheral
  const auto& bat = hw.batteries(0);
  CHECK(bat.name() == "BAT0");
  CHECK(bat.status() == v1::Battery::DISCHARGING);
  CHECK(bat.charge_percent() == Approx(64));
  CHECK(bat.health_percent() == Approx(52.0));
  CHECK(bat.full_wh() == Approx(29.64));
  CHECK(bat.design_wh() == Approx(57.0));
  CHECK(bat.cycle_count() == 812);
  CHECK(bat.technology() == "Li-poly");
  CHECK_FALSE(hw.on_ac_power());
}

TEST_CASE("battery: status texts", "[battery][parsers]") {
  CHECK(battery_status("Discharging") == v1::Battery::DISCHARGING);
  CHECK(battery_status("Charging") == v1::Battery::CHARGING);
}
