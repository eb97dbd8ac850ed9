// windows_defender: Defender's status on both recorded machines, a third-party antivirus
// through Security Center, a machine with neither, and hostile answers.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_defender.hpp"
#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/temp_recorded_machine.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

constexpr const char* kDefenderStatus =
    "wmi/root_microsoft_windows_defender/MSFT_MpComputerStatus.json";
constexpr const char* kSecurityCenter = "wmi/root_securitycenter2/AntiVirusProduct.json";

}  // namespace

TEST_CASE("windows_defender: the laptop's Defender with 5-day-old signatures",
          "[windows_defender][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_defender");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.collectors(0).category() == "security");
  const auto& av = snap.security().antivirus();
  CHECK(av.product() == "Microsoft Defender Antivirus");
  CHECK(av.enabled() == true);
  CHECK(av.real_time_protection() == true);
  CHECK(av.tamper_protection() == true);
  CHECK(av.signature_version() == "1.421.377.0");
  // 09:14:23 at UTC+1 on 26 November: five days and a few hours before the recording.
  CHECK(av.signatures_updated_unix_ms() == 1795680863000);
  CHECK(av.engine_version() == "1.1.24090.11");
  CHECK(av.last_quick_scan_unix_ms() == 1795953941000);
}

TEST_CASE("windows_defender: the server's Defender, current, without tamper protection",
          "[windows_defender][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_defender");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& av = snap.security().antivirus();
  CHECK(av.product() == "Microsoft Defender Antivirus");
  CHECK(av.enabled() == true);
  CHECK(av.real_time_protection() == true);
  CHECK(av.tamper_protection() == false);
  CHECK(av.signature_version() == "1.421.612.0");
  CHECK(av.signatures_updated_unix_ms() == 1796097731000);
  CHECK(av.engine_version() == "1.1.24100.4");
  CHECK(av.last_quick_scan_unix_ms() == 1796004312000);
}

TEST_CASE("windows_defender: productState bits", "[windows_defender]") {
  // 0x061100: on, up to date. 0x060110: off, out of date. 0x041000: a third party, on.
  CHECK(decode_product_state(397568).enabled);
  CHECK_FALSE(decode_product_state(397568).signatures_out_of_date);
  CHECK_FALSE(decode_product_state(393488).enabled);
  CHECK(decode_product_state(393488).signatures_out_of_date);
  CHECK(decode_product_state(266240).enabled);
}

TEST_CASE("windows_defender: a third-party antivirus on a workstation", "[windows_defender]") {
  testing::TempRecordedMachine m;
  m.product_type("WinNT");

  SECTION("Defender's provider is gone: Security Center names the product") {
    m.write(kSecurityCenter, R"([
      {"displayName": "Windows Defender", "productState": 393472},
      {"displayName": "ESET Security", "productState": 266240}])");
    auto snap = m.collect("windows_defender");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& av = snap.security().antivirus();
    CHECK(av.product() == "ESET Security");
    CHECK(av.enabled() == true);
    CHECK_FALSE(av.has_real_time_protection());  // Security Center does not say
    CHECK(av.signatures_updated_unix_ms() == 0);
  }
  SECTION("Defender passive: the active product is reported, with a note") {
    m.write(kDefenderStatus, R"([{"AMServiceEnabled": true, "AntivirusEnabled": false,
      "RealTimeProtectionEnabled": false, "AMRunningMode": "Passive Mode"}])");
    m.write(kSecurityCenter, R"([
      {"displayName": "Sophos Anti-Virus", "productState": 266256}])");
    auto snap = m.collect("windows_defender");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.security().antivirus().product() == "Sophos Anti-Virus");
    CHECK(snap.security().antivirus().enabled() == true);
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("Sophos Anti-Virus protects"));
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("signatures of Sophos"));
  }
  SECTION("Defender off and nothing else: Defender is reported off") {
    m.write(kDefenderStatus, R"([{"AMServiceEnabled": true, "AntivirusEnabled": false,
      "RealTimeProtectionEnabled": false}])");
    m.write(kSecurityCenter, R"([{"displayName": "Windows Defender", "productState": 393472}])");
    auto snap = m.collect("windows_defender");
    CHECK(snap.security().antivirus().product() == "Microsoft Defender Antivirus");
    CHECK(snap.security().antivirus().enabled() == false);
    CHECK(snap.security().antivirus().real_time_protection() == false);
  }
}

TEST_CASE("windows_defender: neither Defender nor Security Center", "[windows_defender]") {
  testing::TempRecordedMachine m;
  SECTION("a server (Security Center is not asked)") {
    m.product_type("ServerNT");
    m.write(kSecurityCenter, R"([{"displayName": "ESET Security", "productState": 266240}])");
  }
  SECTION("a workstation as Wine shows it") { m.product_type("WinNT"); }
  auto snap = m.collect("windows_defender");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("no antivirus status"));
  CHECK_FALSE(snap.security().has_antivirus());
}

TEST_CASE("windows_defender: hostile answers", "[windows_defender]") {
  testing::TempRecordedMachine m;
  m.product_type("ServerNT");
  SECTION("values of the wrong type are left out") {
    m.write(kDefenderStatus, R"([{"AMServiceEnabled": "yes", "AntivirusEnabled": [1],
      "RealTimeProtectionEnabled": null, "IsTamperProtected": 1,
      "AntivirusSignatureVersion": 42, "AntivirusSignatureLastUpdated": "yesterday",
      "AMEngineVersion": {"a": 1}, "QuickScanEndTime": 20261129}])");
    auto snap = m.collect("windows_defender");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& av = snap.security().antivirus();
    CHECK_FALSE(av.has_enabled());
    CHECK_FALSE(av.has_real_time_protection());
    CHECK(av.tamper_protection() == true);
    CHECK(av.signature_version() == "42");
    CHECK(av.signatures_updated_unix_ms() == 0);
    CHECK(av.engine_version().empty());
    CHECK(av.last_quick_scan_unix_ms() == 0);
  }
  SECTION("a huge version string is cut") {
    m.write(kDefenderStatus, R"([{"AntivirusEnabled": true, "AMEngineVersion": ")" +
                                 std::string(100000, '9') + R"("}])");
    auto snap = m.collect("windows_defender");
    CHECK(snap.security().antivirus().engine_version().size() <= 128);
  }
  SECTION("not a list: the source fails with a reason") {
    m.write(kDefenderStatus, R"({"AntivirusEnabled": true})");
    auto snap = m.collect("windows_defender");
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("Defender"));
  }
  SECTION("hundreds of Security Center products") {
    m.product_type("WinNT");
    std::string rows = "[";
    for (int i = 0; i < 500; ++i) {
      rows += std::string(i ? "," : "") + R"({"displayName": "Fake )" + std::to_string(i) +
              R"(", "productState": 266240})";
    }
    m.write(kSecurityCenter, rows + "]");
    auto snap = m.collect("windows_defender");
    CHECK(snap.security().antivirus().product() == "Fake 0");
  }
}
