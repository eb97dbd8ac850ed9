// The usb collector: USB devices, root hubs left out.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/usb.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;

TEST_CASE("usb: desktop receiver and printer", "[usb][fixture][desktop]") {
  auto hw = testing::fixture_collect("desktop", "usb").hardware();
  REQUIRE(hw.usb_devices_size() == 2);  // root hub left out
  CHECK(hw.usb_devices(0).bus_path() == "1-1");
  CHECK(hw.usb_devices(0).vendor_id() == 0x046d);
  CHECK(hw.usb_devices(0).product() == "USB Receiver");
  CHECK(hw.usb_devices(0).class_name() == "Human Interface Device");
  CHECK(hw.usb_devices(0).speed_mbps() == 12);
  CHECK(hw.usb_devices(1).class_name() == "Printer");
  CHECK(hw.usb_devices(1).manufacturer() == "HP");
}

TEST_CASE("usb: class codes", "[usb][parsers]") {
  CHECK(usb_class_name(0x03) == "Human Interface Device");
  CHECK(usb_class_name(0x07) == "Printer");
}
