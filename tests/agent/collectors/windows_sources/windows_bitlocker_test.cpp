// windows_bitlocker: the laptop's protected system volume, the server's unencrypted volumes,
// a volume mid-encryption, a system without BitLocker, and hostile answers.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_bitlocker.hpp"
#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/temp_recorded_machine.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

constexpr const char* kVolumes =
    "wmi/root_cimv2_security_microsoftvolumeencryption/Win32_EncryptableVolume.json";

}  // namespace

TEST_CASE("windows_bitlocker: the laptop's C: protected with XTS-AES 128",
          "[windows_bitlocker][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_bitlocker");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sec = snap.security();
  CHECK(sec.root_encrypted() == true);
  REQUIRE(sec.encrypted_volumes_size() == 2);
  const auto& c = sec.encrypted_volumes(0);
  CHECK(c.name() == "C:");
  CHECK(c.type() == "BitLocker");
  CHECK(c.backing_device() == "\\\\?\\Volume{6b2f0c1e-9a3d-4e51-b7c8-1d0e2f3a4b5c}\\");
  CHECK(c.mount_points().size() == 1);
  CHECK(c.mount_points(0) == "C:\\");
  CHECK(c.protection_on() == true);
  CHECK(c.active());
  CHECK(c.encrypted_percent() == 100.0F);
  CHECK(c.method() == "XTS-AES 128");
  CHECK(c.system_volume());
  // The volume without a letter is named by its GUID path.
  const auto& hidden = sec.encrypted_volumes(1);
  CHECK(hidden.name() == "\\\\?\\Volume{a4c1e0f2-7b3d-4c9e-8f10-2b3c4d5e6f70}\\");
  CHECK(hidden.mount_points().empty());
  CHECK(hidden.protection_on() == false);
  CHECK_FALSE(hidden.active());
  CHECK(hidden.encrypted_percent() == 0.0F);
  CHECK(hidden.method().empty());
  CHECK_FALSE(hidden.system_volume());
}

TEST_CASE("windows_bitlocker: the server's C: and D: not encrypted",
          "[windows_bitlocker][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_bitlocker");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sec = snap.security();
  CHECK(sec.has_root_encrypted());
  CHECK(sec.root_encrypted() == false);
  REQUIRE(sec.encrypted_volumes_size() == 2);
  CHECK(sec.encrypted_volumes(0).name() == "C:");
  CHECK(sec.encrypted_volumes(0).system_volume());
  CHECK(sec.encrypted_volumes(0).protection_on() == false);
  CHECK(sec.encrypted_volumes(1).name() == "D:");
  CHECK_FALSE(sec.encrypted_volumes(1).system_volume());
  CHECK(sec.encrypted_volumes(1).protection_on() == false);
}

TEST_CASE("windows_bitlocker: cipher names", "[windows_bitlocker]") {
  CHECK(bitlocker_method_name(0).empty());
  CHECK(bitlocker_method_name(2) == "AES-256 with Diffuser");
  CHECK(bitlocker_method_name(4) == "AES-256");
  CHECK(bitlocker_method_name(7) == "XTS-AES 256");
  CHECK(bitlocker_method_name(99).empty());
}

TEST_CASE("windows_bitlocker: a volume being encrypted, and one locked", "[windows_bitlocker]") {
  testing::TempRecordedMachine m;
  m.write(kVolumes, R"([
    {"DriveLetter": "C:", "DeviceID": "\\\\?\\Volume{1}\\", "ProtectionStatus": 0,
     "VolumeType": 0, "ConversionStatus": 2, "EncryptionMethod": 7, "EncryptionPercentage": 37},
    {"DriveLetter": "E:", "DeviceID": "\\\\?\\Volume{2}\\", "ProtectionStatus": 2,
     "VolumeType": 2, "ConversionStatus": 1, "EncryptionMethod": -1}])");
  auto snap = m.collect("windows_bitlocker");
  const auto& sec = snap.security();
  REQUIRE(sec.encrypted_volumes_size() == 2);
  CHECK(sec.encrypted_volumes(0).encrypted_percent() == 37.0F);
  CHECK(sec.encrypted_volumes(0).method() == "XTS-AES 256");
  CHECK(sec.encrypted_volumes(0).protection_on() == false);
  CHECK(sec.root_encrypted() == false);
  // Protection status 2: locked, unknown.
  CHECK_FALSE(sec.encrypted_volumes(1).has_protection_on());
  CHECK(sec.encrypted_volumes(1).method().empty());
  CHECK(sec.encrypted_volumes(1).encrypted_percent() == 100.0F);
}

TEST_CASE("windows_bitlocker: a system without BitLocker", "[windows_bitlocker]") {
  testing::TempRecordedMachine m;
  auto snap = m.collect("windows_bitlocker");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("no BitLocker"));
  CHECK_FALSE(snap.has_security());
}

TEST_CASE("windows_bitlocker: hostile answers", "[windows_bitlocker]") {
  testing::TempRecordedMachine m;
  SECTION("wrong types, no names, an impossible percentage") {
    m.write(kVolumes, R"([
      {"DriveLetter": null, "DeviceID": null, "ProtectionStatus": 1},
      {"DriveLetter": "C:", "ProtectionStatus": "on", "VolumeType": "0",
       "ConversionStatus": true, "EncryptionMethod": "x", "EncryptionPercentage": 250},
      17, "text"])");
    auto snap = m.collect("windows_bitlocker");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& sec = snap.security();
    REQUIRE(sec.encrypted_volumes_size() == 1);
    const auto& c = sec.encrypted_volumes(0);
    CHECK(c.name() == "C:");
    CHECK_FALSE(c.has_protection_on());
    CHECK(c.system_volume());  // "0" read as WMI writes 64-bit numbers: as text
    CHECK_FALSE(c.has_encrypted_percent());
    CHECK(c.method().empty());
    CHECK_FALSE(sec.has_root_encrypted());
  }
  SECTION("hundreds of volumes are cut, with a note") {
    std::string rows = "[";
    for (int i = 0; i < 300; ++i) {
      rows += std::string(i ? "," : "") + R"({"DeviceID": "\\\\?\\Volume{)" + std::to_string(i) +
              R"(}\\", "VolumeType": 1})";
    }
    m.write(kVolumes, rows + "]");
    auto snap = m.collect("windows_bitlocker");
    CHECK(snap.security().encrypted_volumes_size() == 64);
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("more than 64 volumes"));
  }
  SECTION("not a list") {
    m.write(kVolumes, "{}");
    CHECK(m.collect("windows_bitlocker").collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
}
