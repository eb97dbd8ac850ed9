// windows_disks: an NVMe SSD and a USB stick on the laptop, two RAID virtual disks on the
// server, the Win32_DiskDrive fallback, failure prediction, and rows of the wrong types.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_disks: an NVMe SSD and a USB stick", "[windows_disks][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_disks");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& disks = snap.hardware().block_devices();
  REQUIRE(disks.size() == 2);
  const auto& ssd = disks[0];
  CHECK(ssd.name() == "PhysicalDrive0");
  CHECK(ssd.kind() == v1::BlockDevice::NVME);
  CHECK(ssd.model() == "SAMSUNG MZVL2512HCJQ-00BL7");
  CHECK(ssd.vendor().empty());
  CHECK(ssd.serial() == "S64KNX0T412345");
  CHECK(ssd.size_bytes() == 512110190592);
  CHECK(ssd.media_type() == "SSD");
  CHECK(ssd.bus_type() == "NVMe");
  CHECK_FALSE(ssd.rotational());
  CHECK_FALSE(ssd.removable());
  // Matched through Win32_DiskDrive's PNPDeviceID, whatever the case.
  CHECK(ssd.smart().health() == v1::SmartStatus::PASSED);
  const auto& stick = disks[1];
  CHECK(stick.name() == "PhysicalDrive1");
  CHECK(stick.kind() == v1::BlockDevice::DISK);
  CHECK(stick.model() == "Ultra");
  CHECK(stick.vendor() == "SanDisk");
  CHECK(stick.bus_type() == "USB");
  CHECK(stick.media_type().empty());
  CHECK(stick.removable());
  CHECK_FALSE(stick.has_smart());
}

TEST_CASE("windows_disks: RAID virtual disks", "[windows_disks][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_disks");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& disks = snap.hardware().block_devices();
  REQUIRE(disks.size() == 2);
  CHECK(disks[0].name() == "PhysicalDrive0");
  CHECK(disks[0].model() == "DELLBOSS VD");
  CHECK(disks[0].bus_type() == "RAID");
  CHECK(disks[0].kind() == v1::BlockDevice::DISK);
  CHECK(disks[0].size_bytes() == 479559942144);
  CHECK(disks[1].model() == "PERC H755 Front");
  CHECK(disks[1].vendor() == "DELL");
  CHECK(disks[1].serial() == "00c2a45b1e0d6f8a2a00d3b5e4a1c36b");
  CHECK(disks[1].size_bytes() == 5759506579456);
  CHECK(disks[1].media_type().empty());
  // The controller hides its drives' SMART: no prediction, health unknown.
  CHECK_FALSE(disks[1].has_smart());
}

TEST_CASE("windows_disks: a failing drive and the fallback", "[windows_disks]") {
  testing::ScratchMachine m("win11-laptop");
  m.write("wmi/root_wmi/MSStorageDriver_FailurePredictStatus.json",
          R"([{"Active": true, "PredictFailure": true, "Reason": 5, "InstanceName":)"
          R"( "SCSI\\Disk&Ven_NVMe&Prod_SAMSUNG_MZVL2512\\5&2b3c4d5e&0&000000_0"}])");
  SECTION("from Storage Management") {
    auto snap = m.collect("windows_disks");
    const auto& ssd = snap.hardware().block_devices(0);
    CHECK(ssd.smart().health() == v1::SmartStatus::FAILING);
    CHECK_THAT(ssd.smart().message(), Catch::Contains("reason code 5"));
  }
  SECTION("from Win32_DiskDrive when Storage Management is missing") {
    m.remove("wmi/root_microsoft_windows_storage");
    auto snap = m.collect("windows_disks");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& disks = snap.hardware().block_devices();
    REQUIRE(disks.size() == 2);
    CHECK(disks[0].name() == "PhysicalDrive0");
    CHECK(disks[0].kind() == v1::BlockDevice::NVME);
    CHECK(disks[0].bus_type() == "NVMe");
    CHECK(disks[0].vendor().empty());  // "(Standard disk drives)"
    CHECK(disks[0].serial() == "0025_3885_1B41_2345.");
    CHECK(disks[0].size_bytes() == 512105932800);
    CHECK(disks[0].smart().health() == v1::SmartStatus::FAILING);
    CHECK(disks[1].bus_type() == "USB");
    CHECK(disks[1].removable());
  }
}

TEST_CASE("windows_disks: hostile rows", "[windows_disks]") {
  testing::ScratchMachine m("server2022");
  SECTION("wrong types") {
    m.write("wmi/root_microsoft_windows_storage/MSFT_PhysicalDisk.json",
            R"([{"DeviceId": "zero", "FriendlyName": "x"},
                {"DeviceId": 3, "FriendlyName": ["a"], "Model": 7, "BusType": "NVMe",
                 "MediaType": {"x": 1}, "Size": -1, "HealthStatus": "bad"},
                "not an object"])");
    auto snap = m.collect("windows_disks");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    REQUIRE(snap.hardware().block_devices_size() == 1);
    const auto& d = snap.hardware().block_devices(0);
    CHECK(d.name() == "PhysicalDrive3");
    CHECK(d.model() == "7");
    CHECK(d.bus_type().empty());
    CHECK(d.size_bytes() == 0);
  }
  SECTION("a storage health warning") {
    m.write("wmi/root_microsoft_windows_storage/MSFT_PhysicalDisk.json",
            R"([{"DeviceId": "1", "Model": "PERC H755 Front", "BusType": 8, "HealthStatus": 1}])");
    auto d = m.collect("windows_disks").hardware().block_devices(0);
    CHECK(d.smart().health() == v1::SmartStatus::HEALTH_UNKNOWN);
    CHECK(d.smart().message() == "storage health Warning");
  }
  SECTION("a huge list is capped") {
    std::string rows = "[";
    for (int i = 0; i < 1000; ++i)
      rows += (i ? "," : "") + std::string(R"({"DeviceId": )") + std::to_string(i) + "}";
    m.write("wmi/root_microsoft_windows_storage/MSFT_PhysicalDisk.json", rows + "]");
    CHECK(m.collect("windows_disks").hardware().block_devices_size() == 128);
  }
  SECTION("no disk class at all") {
    m.remove("wmi");
    CHECK(m.collect("windows_disks").collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
}
