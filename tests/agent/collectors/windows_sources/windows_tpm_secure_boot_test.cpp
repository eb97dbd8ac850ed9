// windows_tpm_secure_boot: the TPMs and Secure Boot of both recorded machines, a machine
// without a TPM or booted in legacy mode, and hostile answers.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_tpm_secure_boot.hpp"
#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/temp_recorded_machine.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

constexpr const char* kTpm = "wmi/root_cimv2_security_microsofttpm/Win32_Tpm.json";

}  // namespace

TEST_CASE("windows_tpm_secure_boot: the laptop's Intel firmware TPM",
          "[windows_tpm_secure_boot][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_tpm_secure_boot");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sec = snap.security();
  CHECK(sec.tpm().present() == true);
  CHECK(sec.tpm().version() == "2.0");
  CHECK(sec.tpm().enabled() == true);
  CHECK(sec.tpm().activated() == true);
  CHECK(sec.tpm().manufacturer() == "INTC");
  CHECK(sec.secure_boot() == true);
}

TEST_CASE("windows_tpm_secure_boot: the server's Nuvoton TPM, its id padded with a NUL",
          "[windows_tpm_secure_boot][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_tpm_secure_boot");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sec = snap.security();
  CHECK(sec.tpm().present() == true);
  CHECK(sec.tpm().version() == "2.0");
  CHECK(sec.tpm().manufacturer() == "NTC");
  CHECK(sec.secure_boot() == true);
}

TEST_CASE("windows_tpm_secure_boot: specification versions", "[windows_tpm_secure_boot]") {
  CHECK(tpm_spec_version("2.0, 0, 1.59") == "2.0");
  CHECK(tpm_spec_version("1.2, 2, 3") == "1.2");
  CHECK(tpm_spec_version(" 2.0 ") == "2.0");
  CHECK(tpm_spec_version("").empty());
}

TEST_CASE("windows_tpm_secure_boot: no TPM, legacy boot", "[windows_tpm_secure_boot]") {
  testing::TempRecordedMachine m;
  SECTION("the provider lists no TPM") {
    m.write(kTpm, "[]");
    auto snap = m.collect("windows_tpm_secure_boot");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.security().tpm().present() == false);
    CHECK_FALSE(snap.security().has_secure_boot());
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("legacy BIOS"));
  }
  SECTION("no provider (Wine), Secure Boot off") {
    m.write("registry/security.reg",
            "Windows Registry Editor Version 5.00\r\n\r\n"
            "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecureBoot\\State]\r\n"
            "\"UEFISecureBootEnabled\"=dword:00000000\r\n");
    auto snap = m.collect("windows_tpm_secure_boot");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK_FALSE(snap.security().has_tpm());
    CHECK(snap.security().secure_boot() == false);
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("no TPM provider"));
  }
}

TEST_CASE("windows_tpm_secure_boot: hostile answers", "[windows_tpm_secure_boot]") {
  testing::TempRecordedMachine m;
  SECTION("wrong types") {
    m.write(kTpm, R"([{"IsEnabled_InitialValue": "TRUE", "IsActivated_InitialValue": null,
      "SpecVersion": 2, "ManufacturerIdTxt": ["I", "N"]}])");
    auto snap = m.collect("windows_tpm_secure_boot");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& tpm = snap.security().tpm();
    CHECK(tpm.present() == true);
    CHECK_FALSE(tpm.has_enabled());
    CHECK_FALSE(tpm.has_activated());
    CHECK(tpm.version() == "2");
    CHECK(tpm.manufacturer().empty());
  }
  SECTION("a huge vendor string is cut") {
    m.write(kTpm, R"([{"ManufacturerIdTxt": ")" + std::string(50000, 'A') + R"("}])");
    CHECK(m.collect("windows_tpm_secure_boot").security().tpm().manufacturer().size() <= 64);
  }
  SECTION("not a list: the TPM is skipped with a note, Secure Boot still read") {
    m.write(kTpm, "{}");
    auto snap = m.collect("windows_tpm_secure_boot");
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK_FALSE(snap.security().has_tpm());
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("TPM not read"));
  }
}
