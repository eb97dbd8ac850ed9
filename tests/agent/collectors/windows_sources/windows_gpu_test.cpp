// windows_gpu: the laptop's Iris Xe, the server's Matrox on the Basic Display driver (the RDP
// indirect display left out), and rows of the wrong types.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_gpu: Intel Iris Xe", "[windows_gpu][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_gpu");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  REQUIRE(snap.hardware().gpus_size() == 1);
  const auto& gpu = snap.hardware().gpus(0);
  CHECK(gpu.slot() == "PCI\\VEN_8086&DEV_46A8&SUBSYS_22E617AA&REV_0C\\3&11583659&0&10");
  CHECK(gpu.model() == "Intel(R) Iris(R) Xe Graphics");
  CHECK(gpu.vendor() == "Intel Corporation");
  CHECK(gpu.driver() == "31.0.101.4502");
}

TEST_CASE("windows_gpu: a server's onboard Matrox", "[windows_gpu][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_gpu");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  REQUIRE(snap.hardware().gpus_size() == 1);
  const auto& gpu = snap.hardware().gpus(0);
  CHECK(gpu.model() == "Microsoft Basic Display Adapter");
  // "(Standard display types)": the maker from the PCI vendor id instead.
  CHECK(gpu.vendor() == "Matrox Graphics, Inc.");
  CHECK(gpu.driver() == "10.0.20348.1");
}

TEST_CASE("windows_gpu: hostile rows", "[windows_gpu]") {
  testing::ScratchMachine m;
  SECTION("wrong types and empty rows") {
    m.write("wmi/root_cimv2/Win32_VideoController.json",
            R"([{}, 17, {"Name": 3, "DeviceID": "VideoController9", "DriverVersion": [1, 2]},
                {"Name": "Virtual", "PNPDeviceID": "ROOT\\BasicRender\\0000"}])");
    auto snap = m.collect("windows_gpu");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    REQUIRE(snap.hardware().gpus_size() == 1);
    CHECK(snap.hardware().gpus(0).slot() == "VideoController9");
    CHECK(snap.hardware().gpus(0).model() == "3");
    CHECK(snap.hardware().gpus(0).driver().empty());
  }
  SECTION("no class") {
    CHECK(m.collect("windows_gpu").collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
}
