// The dmi collector: SMBIOS identity of the fixture machines.
#include <catch2/catch.hpp>

#include "agent/collectors/chassis_types.hpp"
#include "agent/collectors/linux/dmi.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
using triage::v1::CollectorStatus;

TEST_CASE("dmi: desktop identity", "[dmi][fixture][desktop]") {
  auto hw = testing::fixture_collect("desktop", "dmi").hardware();
  CHECK(hw.dmi().sys_vendor() == "Dell Inc.");
  CHECK(hw.dmi().product_name() == "OptiPlex 7050");
  CHECK(hw.dmi().product_serial() == "7XK2QH2");
  CHECK(hw.dmi().bios_version() == "1.24.0");
  CHECK(hw.dmi().bios_date() == "03/14/2023");
  CHECK(hw.dmi().chassis_type() == "Desktop");
}

TEST_CASE("dmi: laptop identity", "[dmi][fixture][laptop]") {
  auto hw = testing::fixture_collect("laptop", "dmi").hardware();
  CHECK(hw.dmi().sys_vendor() == "LENOVO");
  CHECK(hw.dmi().product_version() == "ThinkPad T14 Gen 2i");
  CHECK(hw.dmi().chassis_type() == "Notebook");
}

TEST_CASE("dmi: server in a rack", "[dmi][fixture][server]") {
  auto hw = testing::fixture_collect("server-raid", "dmi").hardware();
  CHECK(hw.dmi().product_name() == "PowerEdge R740");
  CHECK(hw.dmi().chassis_type() == "Rack Mount Chassis");
}

TEST_CASE("dmi: a container has none", "[dmi][fixture][container]") {
  auto snap = testing::fixture_collect("container", "dmi");
  CHECK(testing::status_of(snap, "dmi").outcome() == CollectorStatus::UNAVAILABLE);
}

TEST_CASE("dmi: chassis type codes", "[dmi][parsers]") {
  CHECK(chassis_type_name(3) == "Desktop");
  CHECK(chassis_type_name(10) == "Notebook");
  CHECK(chassis_type_name(23) == "Rack Mount Chassis");
}
