// windows_firewall: the profiles on both recorded machines (Group Policy over local settings),
// without the current profiles, and hostile registry values.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/temp_recorded_machine.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

const v1::FirewallProfile* profile(const v1::Firewall& fw, const std::string& name) {
  for (const auto& p : fw.profiles()) {
    if (p.name() == name) return &p;
  }
  return nullptr;
}

constexpr const char* kLocal =
    "[HKLM\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\";

}  // namespace

TEST_CASE("windows_firewall: the laptop on its private Wi-Fi, every profile on",
          "[windows_firewall][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_firewall");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& fw = snap.security().firewall();
  CHECK(fw.frontends().size() == 1);
  CHECK(fw.frontends(0) == "Windows Defender Firewall");
  CHECK(fw.active() == true);
  REQUIRE(fw.profiles_size() == 3);
  CHECK(fw.profiles(0).name() == "domain");
  CHECK(fw.profiles(0).enabled());
  CHECK_FALSE(fw.profiles(0).current());
  CHECK(fw.profiles(0).inbound_default() == "block");  // absent: Windows' default
  CHECK(fw.profiles(1).name() == "private");
  CHECK(fw.profiles(1).enabled());
  CHECK(fw.profiles(1).current());
  CHECK(fw.profiles(1).inbound_default() == "block");
  CHECK(fw.profiles(2).name() == "public");
  CHECK(fw.profiles(2).enabled());
  CHECK_FALSE(fw.profiles(2).current());
}

TEST_CASE("windows_firewall: the server's domain profile, off locally, on by Group Policy",
          "[windows_firewall][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_firewall");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& fw = snap.security().firewall();
  CHECK(fw.active() == true);
  REQUIRE(fw.profiles_size() == 3);
  const auto* domain = profile(fw, "domain");
  REQUIRE(domain);
  CHECK(domain->enabled());
  CHECK(domain->current());
  CHECK(domain->inbound_default() == "block");
  CHECK_FALSE(profile(fw, "private")->current());
  CHECK(profile(fw, "public")->enabled());
}

TEST_CASE("windows_firewall: a current profile off makes the firewall inactive",
          "[windows_firewall]") {
  testing::TempRecordedMachine m;
  m.write("registry/security.reg", std::string("Windows Registry Editor Version 5.00\r\n\r\n") +
                                       kLocal +
                                       "StandardProfile]\r\n\"EnableFirewall\"=dword:0\r\n"
                                       "\"DefaultInboundAction\"=dword:0\r\n" +
                                       kLocal + "PublicProfile]\r\n\"EnableFirewall\"=dword:1\r\n");
  SECTION("the private network is current") {
    m.write("api/firewall.json", R"({"current_profile_types": 2})");
    auto snap = m.collect("windows_firewall");
    const auto& fw = snap.security().firewall();
    CHECK(fw.active() == false);
    REQUIRE(fw.profiles_size() == 2);  // no domain profile recorded
    CHECK(profile(fw, "private")->current());
    CHECK_FALSE(profile(fw, "private")->enabled());
    CHECK(profile(fw, "private")->inbound_default() == "allow");
  }
  SECTION("the public network is current") {
    m.write("api/firewall.json", R"({"current_profile_types": 4})");
    CHECK(m.collect("windows_firewall").security().firewall().active() == true);
  }
  SECTION("the current profiles are unknown: active stays unset, with a reason") {
    auto snap = m.collect("windows_firewall");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& fw = snap.security().firewall();
    CHECK_FALSE(fw.has_active());
    CHECK_THAT(fw.message(), Catch::Contains("current profile is unknown"));
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("current firewall profiles unknown"));
    for (const auto& p : fw.profiles()) CHECK_FALSE(p.current());
  }
  SECTION("the answer has the wrong shape") {
    m.write("api/firewall.json", R"({"current_profile_types": "private"})");
    auto snap = m.collect("windows_firewall");
    CHECK_FALSE(snap.security().firewall().has_active());
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("not reported"));
  }
}

TEST_CASE("windows_firewall: the older Group Policy template's StandardProfile",
          "[windows_firewall]") {
  testing::TempRecordedMachine m;
  m.write("registry/security.reg",
          std::string("Windows Registry Editor Version 5.00\r\n\r\n") + kLocal +
              "StandardProfile]\r\n\"EnableFirewall\"=dword:1\r\n"
              "[HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\StandardProfile]\r\n"
              "\"EnableFirewall\"=dword:0\r\n");
  auto fw = m.collect("windows_firewall").security().firewall();
  REQUIRE(fw.profiles_size() == 1);
  CHECK_FALSE(fw.profiles(0).enabled());
  CHECK(fw.active() == false);
}

TEST_CASE("windows_firewall: no settings at all", "[windows_firewall]") {
  testing::TempRecordedMachine m;
  SECTION("nothing in the registry") {}
  SECTION("keys without the values") {
    m.write("registry/security.reg", std::string("Windows Registry Editor Version 5.00\r\n\r\n") +
                                         kLocal + "DomainProfile]\r\n\"EnableFirewall\"=\"\"\r\n");
  }
  auto snap = m.collect("windows_firewall");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
  CHECK_FALSE(snap.security().has_firewall());
}
