// The sensors collector: hwmon temperatures and fans, and the CPU temperature.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/sensors.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("sensors: desktop CPU temperature", "[sensors][fixture][desktop]") {
  auto hw = testing::fixture_collect("desktop", "sensors").hardware();
  CHECK(hw.cpu_temperature_c() == Approx(41.0f));
}

TEST_CASE("sensors: laptop running hot", "[sensors][fixture][laptop]") {
  auto hw = testing::fixture_collect("laptop", "sensors").hardware();
  // Sensors: acpitz, two coretemp readings and one fan; the "N/A" reading is skipped.
  REQUIRE(hw.sensors_size() == 4);
  CHECK(hw.sensors(0).chip() == "acpitz");
  CHECK(hw.sensors(0).label() == "temp1");
  CHECK(hw.sensors(0).critical() == Approx(128.0));
  CHECK_FALSE(hw.sensors(0).has_high());
  CHECK(hw.sensors(1).label() == "Package id 0");
  CHECK(hw.sensors(1).value() == Approx(96.0));
  CHECK(hw.sensors(1).high() == Approx(95.0));
  CHECK(hw.sensors(3).kind() == v1::Sensor::FAN);
  CHECK(hw.sensors(3).value() == Approx(4521));
  CHECK(hw.cpu_temperature_c() == Approx(96.0f));
}
