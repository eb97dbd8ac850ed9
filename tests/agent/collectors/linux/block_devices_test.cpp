// The block_devices collector: disks, md RAID arrays and SMART health.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/block_devices.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;
using triage::v1::CollectorStatus;
namespace v1 = triage::v1;

TEST_CASE("block_devices: desktop disks and SMART", "[block_devices][fixture][desktop]") {
  auto hw = testing::fixture_collect("desktop", "block_devices").hardware();
  REQUIRE(hw.block_devices_size() == 3);  // loop0 skipped
  const auto& sda = hw.block_devices(0);
  CHECK(sda.name() == "sda");
  CHECK(sda.kind() == v1::BlockDevice::DISK);
  CHECK(sda.model() == "Samsung SSD 860 EVO 500GB");
  CHECK(sda.size_bytes() == 976773168ull * 512);
  CHECK_FALSE(sda.rotational());
  CHECK(sda.smart().health() == v1::SmartStatus::PASSED);
  CHECK(sda.smart().temperature_c() == 34);
  CHECK(sda.smart().power_on_hours() == 18234);
  CHECK(sda.smart().reallocated_sectors() == 0);
  const auto& sdb = hw.block_devices(1);
  CHECK(sdb.rotational());
  CHECK(sdb.smart().health() == v1::SmartStatus::FAILING);
  CHECK(sdb.smart().reallocated_sectors() == 1208);
  CHECK(sdb.smart().pending_sectors() == 56);
  CHECK_THAT(sdb.smart().message(), Catch::Contains("FAILED"));
  CHECK(hw.block_devices(2).kind() == v1::BlockDevice::OPTICAL);
  CHECK(hw.block_devices(2).removable());
  CHECK_FALSE(hw.block_devices(2).has_smart());
}

TEST_CASE("block_devices: laptop NVMe under LUKS and LVM", "[block_devices][fixture][laptop]") {
  auto hw = testing::fixture_collect("laptop", "block_devices").hardware();
  const auto* nvme = find_if(hw.block_devices(), [](auto& d) { return d.name() == "nvme0n1"; });
  REQUIRE(nvme);
  CHECK(nvme->kind() == v1::BlockDevice::NVME);
  CHECK(nvme->serial() == "S64KNX0T123456");
  CHECK(find_if(hw.block_devices(), [](auto& d) { return d.name() == "dm-1"; })->model() ==
        "fedora-root");
}

TEST_CASE("block_devices: server RAID arrays", "[block_devices][fixture][server]") {
  auto hw = testing::fixture_collect("server-raid", "block_devices").hardware();
  REQUIRE(hw.raid_arrays_size() == 2);
  const auto& md0 = hw.raid_arrays(0);
  CHECK(md0.name() == "md0");
  CHECK(md0.level() == "raid1");
  CHECK(md0.degraded());
  CHECK(md0.degraded_disks() == 1);
  CHECK(md0.raid_disks() == 2);
  CHECK(std::vector<std::string>(md0.members().begin(), md0.members().end()) ==
        std::vector<std::string>{"sda1", "sdb1"});
  CHECK_FALSE(md0.has_sync_percent());
  const auto& md1 = hw.raid_arrays(1);
  CHECK_FALSE(md1.degraded());
  CHECK(md1.sync_action() == "resync");
  CHECK(md1.sync_percent() == Approx(25.0f));
  CHECK(md1.members_size() == 3);
  CHECK(find_if(hw.block_devices(), [](auto& d) { return d.name() == "md1"; })->kind() ==
        v1::BlockDevice::RAID);
}

TEST_CASE("block_devices: a container has none", "[block_devices][fixture][container]") {
  auto snap = testing::fixture_collect("container", "block_devices");
  CHECK(testing::status_of(snap, "block_devices").outcome() == CollectorStatus::UNAVAILABLE);
}

TEST_CASE("block_devices: the SMART parser survives hostile input",
          "[block_devices][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_smartctl_json(input, 0);
  SUCCEED();
}
