// windows_boot: boot time, time zone and time service on both recorded machines, and answers
// that are missing or of the wrong type.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_time_service.hpp"
#include "agent/collectors/windows_sources/windows_time_zones.hpp"
#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_boot: a laptop up for 13 days", "[windows_boot][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_boot");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sys = snap.system();
  CHECK(sys.boot_time_unix_ms() == 1794987672000);  // 2026-11-18T07:41:12Z, whole seconds
  CHECK(sys.timezone() == "Europe/Berlin");
  CHECK(sys.time_sync().service() == "w32time (NTP time.windows.com)");
  // w32time's own state is not read: unknown, not "unsynchronised".
  CHECK_FALSE(sys.time_sync().has_synchronized());
  CHECK_FALSE(sys.time_sync().has_offset_ms());
}

TEST_CASE("windows_boot: a domain member restarted by a bugcheck",
          "[windows_boot][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_boot");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.system().boot_time_unix_ms() == 1795857243000);  // 2026-11-28T09:14:03Z
  CHECK(snap.system().timezone() == "Europe/Berlin");
  CHECK(snap.system().time_sync().service() == "w32time (domain hierarchy)");
}

TEST_CASE("Windows time zones: IANA names", "[windows_boot]") {
  CHECK(iana_time_zone("W. Europe Standard Time") == "Europe/Berlin");
  CHECK(iana_time_zone("pacific standard time") == "America/Los_Angeles");
  CHECK(iana_time_zone("GMT Standard Time") == "Europe/London");
  CHECK(iana_time_zone("UTC") == "Etc/UTC");
  CHECK(iana_time_zone("Tokyo Standard Time") == "Asia/Tokyo");
  CHECK(iana_time_zone("Mars Standard Time").empty());
  CHECK(iana_time_zone("").empty());
}

TEST_CASE("w32time: the NTP servers the probes ask for the clock's offset", "[windows_boot]") {
  testing::ScratchMachine m("win11-laptop");
  auto servers_of = [&](const std::string& type, const std::string& servers) {
    m.write("registry/zz.reg",
            "[HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters]\n"
            "\"Type\"=\"" +
                type + "\"\n\"NtpServer\"=\"" + servers + "\"\n");
    auto host = m.host();
    auto key = host->windows()->registry(kW32TimeParameters);
    REQUIRE(key);
    return w32time_ntp_servers(*key);
  };
  CHECK(servers_of("NTP", "time.windows.com,0x9") == std::vector<std::string>{"time.windows.com"});
  CHECK(servers_of("AllSync", "ntp1.corp.example,0x8  10.0.0.5,0x1") ==
        std::vector<std::string>{"ntp1.corp.example", "10.0.0.5"});
  // The domain hierarchy's source is a domain controller, not these; NoSync asks nobody.
  CHECK(servers_of("NT5DS", "time.windows.com,0x9").empty());
  CHECK(servers_of("NoSync", "time.windows.com,0x9").empty());
  CHECK(servers_of("NTP", ",0x9 ,").empty());
  CHECK(servers_of("NTP", std::string(300, 'a')).empty());
}

TEST_CASE("windows_boot: hostile answers", "[windows_boot]") {
  testing::ScratchMachine m("win11-laptop");
  SECTION("a boot time of the wrong type, in the future, or missing") {
    auto text = GENERATE(R"({"boot_time_unix_ms": "yesterday"})", R"({"boot_time_unix_ms": -5})",
                         R"({"boot_time_unix_ms": 99999999999999})", "[]", "null");
    m.write("api/boot.json", text);
    auto snap = m.collect("windows_boot");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.system().boot_time_unix_ms() == 0);
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("boot time"));
    CHECK(snap.system().timezone() == "Europe/Berlin");
  }
  SECTION("a zone the table does not know keeps its Windows name") {
    m.write("registry/system.reg",
            "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation]\n"
            "\"TimeZoneKeyName\"=\"Qyzylorda Standard Time\"\n");
    auto snap = m.collect("windows_boot");
    CHECK(snap.system().timezone() == "Qyzylorda Standard Time");
    CHECK(snap.system().time_sync().service().empty());
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("w32time is not configured"));
  }
  SECTION("daylight saving time not adjusted") {
    m.write("registry/zz.reg",
            "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation]\n"
            "\"DynamicDaylightTimeDisabled\"=dword:00000001\n");
    auto snap = m.collect("windows_boot");
    CHECK(snap.system().timezone() == "Europe/Berlin");
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("daylight saving"));
  }
  SECTION("time synchronisation turned off") {
    m.write("registry/zz.reg",
            "[HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters]\n"
            "\"Type\"=\"NoSync\"\n");
    auto snap = m.collect("windows_boot");
    CHECK(snap.system().time_sync().service() == "w32time (not synchronising: Type NoSync)");
    // Told not to synchronise, the clock is known to be on its own.
    REQUIRE(snap.system().time_sync().has_synchronized());
    CHECK_FALSE(snap.system().time_sync().synchronized());
  }
  SECTION("nothing recorded") {
    testing::ScratchMachine empty;
    auto snap = empty.collect("windows_boot");
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.system().boot_time_unix_ms() == 0);
    CHECK(snap.system().timezone().empty());
  }
}
