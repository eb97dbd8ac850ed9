// Findings rules about storage: disk and inode usage, SMART, RAID, kernel storage errors.
#include <catch2/catch.hpp>

#include "tests/collector/findings/snapshot_builders.hpp"

using namespace triage::collector;
using namespace triage::collector::testing;

TEST_CASE("disk.full: warning from 90 %, critical from 97 %", "[findings][storage]") {
  auto s = empty_snapshot();
  add_filesystem(s, "/", 50.0);
  SECTION("fires at the warning threshold, with evidence in units") {
    add_filesystem(s, "/home", 96.2, 48 * kGiB);
    auto f = findings_of(s, "disk.full");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].subject == "/home");
    CHECK(f[0].title == "Disk /home 96 % full");
    CHECK(f[0].evidence ==
          "/home: 96.2 % used (1.8 GiB free of 48.0 GiB); inodes 10 %; ext4 on "
          "/dev/sda2");
    CHECK_FALSE(f[0].kb_article.empty());
  }
  SECTION("just under the threshold: nothing") {
    add_filesystem(s, "/home", 89.9);
    CHECK(findings_of(s, "disk.full").empty());
  }
  SECTION("critical at 97 %") {
    add_filesystem(s, "/home", 97.0);
    auto f = findings_of(s, "disk.full");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kCritical);
  }
  SECTION("96.9 % stays a warning and the title does not round up") {
    add_filesystem(s, "/home", 96.9);
    auto f = findings_of(s, "disk.full");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Disk /home 96 % full");
  }
  SECTION("one finding per full filesystem") {
    add_filesystem(s, "/home", 92);
    add_filesystem(s, "/data", 99);
    auto f = findings_of(s, "disk.full");
    REQUIRE(f.size() == 2);
    CHECK(f[0].subject == "/data");  // critical first
    CHECK(f[1].subject == "/home");
  }
  SECTION("usage not reported (network filesystem, statvfs failed): nothing") {
    auto& fs = add_filesystem(s, "/mnt/share", 99, 10 * kGiB, "nfs4");
    fs.clear_used_percent();
    fs.set_network(true);
    CHECK(findings_of(s, "disk.full").empty());
  }
  SECTION("read-only and image filesystems are always full and ignored") {
    add_filesystem(s, "/snap/core/1", 100, 100 * kMiB, "squashfs");
    add_filesystem(s, "/media/cdrom", 100, 700 * kMiB, "iso9660");
    add_filesystem(s, "/boot/efi", 99, 512 * kMiB, "vfat").set_read_only(true);
    CHECK(findings_of(s, "disk.full").empty());
  }
}

TEST_CASE("disk.full: suggests only cleanups that free space on that filesystem",
          "[findings][storage]") {
  auto s = empty_snapshot();
  SECTION("root holding /var and /tmp: journal, package cache, temp files") {
    add_filesystem(s, "/", 95);
    auto f = findings_of(s, "disk.full");
    REQUIRE(f.size() == 1);
    CHECK(f[0].suggested_actions ==
          std::vector<std::string>{"vacuum-journal", "clean-package-cache", "clear-temp-files"});
  }
  SECTION("separate /var: root gets temp files only, /var gets journal and cache") {
    add_filesystem(s, "/", 95);
    add_filesystem(s, "/var", 95);
    add_filesystem(s, "/var/tmp", 20);
    auto f = findings_of(s, "disk.full");
    REQUIRE(f.size() == 2);
    CHECK(f[0].subject == "/");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"clear-temp-files"});
    CHECK(f[1].subject == "/var");
    CHECK(f[1].suggested_actions ==
          std::vector<std::string>{"vacuum-journal", "clean-package-cache"});
  }
  SECTION("/home: none of the cleanups helps") {
    add_filesystem(s, "/", 40);
    add_filesystem(s, "/home", 95);
    auto f = findings_of(s, "disk.full");
    REQUIRE(f.size() == 1);
    CHECK(f[0].suggested_actions.empty());
  }
}

TEST_CASE("disk.inodes: warning from 90 % of inodes, critical from 97 %", "[findings][storage]") {
  auto s = empty_snapshot();
  auto& fs = add_filesystem(s, "/var", 40);
  SECTION("fires at 90 %") {
    fs.set_inodes_used(5'400'000);
    fs.set_inodes_used_percent(90.0F);
    auto f = findings_of(s, "disk.inodes");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].subject == "/var");
    CHECK(f[0].evidence == "/var: inodes 90.0 % used (5400000 of 6000000); space 40 %");
    CHECK(findings_of(s, "disk.full").empty());
  }
  SECTION("just under: nothing") {
    fs.set_inodes_used_percent(89.9F);
    CHECK(findings_of(s, "disk.inodes").empty());
  }
  SECTION("critical at 97 %") {
    fs.set_inodes_used_percent(98.5F);
    REQUIRE(findings_of(s, "disk.inodes").size() == 1);
    CHECK(findings_of(s, "disk.inodes")[0].severity == Severity::kCritical);
  }
  SECTION("inodes not reported (btrfs reports none): nothing") {
    fs.clear_inodes_total();
    fs.clear_inodes_used();
    fs.clear_inodes_used_percent();
    CHECK(findings_of(s, "disk.inodes").empty());
  }
}

TEST_CASE("disk.smart_failing: SMART health FAILING is critical", "[findings][storage]") {
  auto s = empty_snapshot();
  auto& smart = add_smart_disk(s, "sda");
  SECTION("fires") {
    smart.set_health(triage::v1::SmartStatus::FAILING);
    smart.set_message("SMART overall-health self-assessment test result: FAILED!");
    auto f = findings_of(s, "disk.smart_failing");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kCritical);
    CHECK(f[0].subject == "sda");
    CHECK(f[0].evidence ==
          "/dev/sda (Test Disk 512GB): SMART overall health FAILING; smartctl: SMART "
          "overall-health self-assessment test result: FAILED!");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"collect-log-bundle"});
  }
  SECTION("passing: nothing") { CHECK(findings_of(s, "disk.smart_failing").empty()); }
  SECTION("health unknown (no smartctl, not root): nothing") {
    smart.set_health(triage::v1::SmartStatus::HEALTH_UNKNOWN);
    CHECK(findings_of(s, "disk.smart_failing").empty());
    s.mutable_hardware()->mutable_block_devices(0)->clear_smart();
    CHECK(evaluate(s).empty());
  }
}

TEST_CASE("disk.smart_warning: bad sectors or endurance used on a passing disk",
          "[findings][storage]") {
  auto s = empty_snapshot();
  auto& smart = add_smart_disk(s, "sda");
  SECTION("reallocated and pending sectors") {
    smart.set_reallocated_sectors(8);
    smart.set_pending_sectors(2);
    auto f = findings_of(s, "disk.smart_warning");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].evidence ==
          "/dev/sda (Test Disk 512GB): 8 reallocated sectors, 2 pending sectors; 12000 power-on "
          "hours");
  }
  SECTION("NVMe wear at 80 %") {
    auto& nvme = add_smart_disk(s, "nvme0n1");
    nvme.set_wear_percent(80);
    auto f = findings_of(s, "disk.smart_warning");
    REQUIRE(f.size() == 1);
    CHECK(f[0].subject == "nvme0n1");
  }
  SECTION("just under: zero counters and 79 % wear") {
    smart.set_reallocated_sectors(0);
    smart.set_pending_sectors(0);
    smart.set_wear_percent(79);
    CHECK(findings_of(s, "disk.smart_warning").empty());
  }
  SECTION("counters not reported: nothing") { CHECK(findings_of(s, "disk.smart_warning").empty()); }
  SECTION("a failing disk gets the failing finding only") {
    smart.set_health(triage::v1::SmartStatus::FAILING);
    smart.set_reallocated_sectors(500);
    CHECK(findings_of(s, "disk.smart_warning").empty());
    CHECK(findings_of(s, "disk.smart_failing").size() == 1);
  }
}

TEST_CASE("disk.raid_degraded: a degraded md array is critical", "[findings][storage]") {
  auto s = empty_snapshot();
  auto* array = s.mutable_hardware()->add_raid_arrays();
  array->set_name("md0");
  array->set_level("raid1");
  array->set_state("clean");
  array->set_raid_disks(2);
  array->add_members("sda1");
  array->add_members("sdb1");
  array->set_sync_action("idle");
  SECTION("fires") {
    array->set_state("clean, degraded");
    array->set_degraded(true);
    array->set_degraded_disks(1);
    array->clear_members();
    array->add_members("sda1");
    auto f = findings_of(s, "disk.raid_degraded");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kCritical);
    CHECK(f[0].subject == "md0");
    CHECK(f[0].evidence ==
          "md0 (raid1): state \"clean, degraded\", 1 of 2 member disks missing; present: sda1");
  }
  SECTION("healthy array: nothing") { CHECK(findings_of(s, "disk.raid_degraded").empty()); }
  SECTION("no arrays reported: nothing") {
    s.mutable_hardware()->clear_raid_arrays();
    CHECK(findings_of(s, "disk.raid_degraded").empty());
  }
}

TEST_CASE("kernel.storage_errors: I/O errors warn, filesystem errors are critical",
          "[findings][storage]") {
  auto s = empty_snapshot();
  auto& log = readable_kernel_log(s);
  SECTION("I/O errors") {
    log.set_io_errors(12);
    add_kernel_event(s, triage::v1::KernelEvent::IO_ERROR).set_device("sdb");
    auto f = findings_of(s, "kernel.storage_errors");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Kernel reported 12 disk I/O errors");
    CHECK(f[0].evidence ==
          "kernel log since boot: 12 I/O errors, 0 filesystem errors; devices in "
          "recent events: sdb");
  }
  SECTION("filesystem errors") {
    log.set_fs_errors(1);
    auto f = findings_of(s, "kernel.storage_errors");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kCritical);
  }
  SECTION("no errors: nothing") { CHECK(findings_of(s, "kernel.storage_errors").empty()); }
  SECTION("kernel log unreadable: counts mean nothing") {
    log.set_readable(false);
    log.set_io_errors(12);
    CHECK(findings_of(s, "kernel.storage_errors").empty());
  }
}
