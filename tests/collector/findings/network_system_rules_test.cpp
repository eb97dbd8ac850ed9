// Findings rules about the network probes, the clock, reboots, uptime and updates.
#include <catch2/catch.hpp>

#include "tests/collector/findings/snapshot_builders.hpp"

using namespace triage::collector;
using namespace triage::collector::testing;
using triage::v1::Probe;

TEST_CASE("network.dns_failing: DNS probes without an answer", "[findings][network]") {
  auto s = empty_snapshot();
  s.mutable_network()->set_default_interface("wlan0");
  auto& wlan = add_interface(s, "wlan0", {"192.168.1.20"});
  wlan.set_carrier(true);
  wlan.set_wifi_signal_dbm(-78);
  add_probe(s, Probe::GATEWAY, "192.168.1.1", Probe::OK);
  SECTION("every nameserver failing is critical") {
    add_probe(s, Probe::DNS, "192.168.1.1 collector.example.com", Probe::TIMEOUT)
        .set_message("no answer within 1500 ms");
    auto f = findings_of(s, "network.dns_failing");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kCritical);
    CHECK(f[0].title == "DNS resolution failing");
    CHECK(f[0].evidence ==
          "query 192.168.1.1 collector.example.com: timeout (no answer within 1500 ms); 1 of 1 "
          "nameservers probed failed; default interface wlan0: up, carrier yes, Wi-Fi signal "
          "-78 dBm");
    CHECK(f[0].suggested_actions ==
          std::vector<std::string>{"renew-dhcp", "restart-network-manager"});
  }
  SECTION("some nameservers failing is a warning") {
    add_probe(s, Probe::DNS, "192.168.1.1 collector.example.com", Probe::OK);
    add_probe(s, Probe::DNS, "10.0.0.53 collector.example.com", Probe::FAILED);
    auto f = findings_of(s, "network.dns_failing");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
  }
  SECTION("a failing local stub resolver suggests flushing its cache") {
    add_probe(s, Probe::DNS, "127.0.0.53 collector.example.com", Probe::FAILED);
    auto f = findings_of(s, "network.dns_failing");
    REQUIRE(f.size() == 1);
    CHECK(f[0].suggested_actions.front() == "flush-dns");
  }
  SECTION("all answering: nothing") {
    add_probe(s, Probe::DNS, "192.168.1.1 collector.example.com", Probe::OK);
    CHECK(findings_of(s, "network.dns_failing").empty());
  }
  SECTION("probes skipped or not run: nothing") {
    add_probe(s, Probe::DNS, "", Probe::SKIPPED).set_message("no nameserver configured");
    CHECK(findings_of(s, "network.dns_failing").empty());
    s.mutable_network()->clear_probes();
    CHECK(findings_of(s, "network.dns_failing").empty());
  }
}

TEST_CASE("network.gateway_unreachable: the gateway does not answer ping", "[findings][network]") {
  auto s = empty_snapshot();
  s.mutable_network()->set_default_gateway("192.168.1.1");
  SECTION("fires, noting that the collector was reachable anyway") {
    add_probe(s, Probe::GATEWAY, "192.168.1.1", Probe::TIMEOUT);
    add_probe(s, Probe::COLLECTOR, "collector.example.com:8443", Probe::OK);
    auto f = findings_of(s, "network.gateway_unreachable");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].subject == "192.168.1.1");
    CHECK(f[0].evidence ==
          "ping to default gateway 192.168.1.1: timeout; the collector itself was reachable");
    CHECK(f[0].suggested_actions ==
          std::vector<std::string>{"renew-dhcp", "restart-network-manager"});
  }
  SECTION("answering: nothing") {
    add_probe(s, Probe::GATEWAY, "192.168.1.1", Probe::OK);
    CHECK(findings_of(s, "network.gateway_unreachable").empty());
  }
  SECTION("skipped (no default route) or probes disabled: nothing") {
    add_probe(s, Probe::GATEWAY, "", Probe::SKIPPED);
    CHECK(findings_of(s, "network.gateway_unreachable").empty());
  }
}

TEST_CASE("clock.unsynchronized: the kernel says the clock is not synchronised",
          "[findings][system]") {
  auto s = empty_snapshot();
  auto* sync = s.mutable_system()->mutable_time_sync();
  SECTION("fires") {
    sync->set_synchronized(false);
    sync->set_max_error_ms(16000);
    auto f = findings_of(s, "clock.unsynchronized");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].evidence ==
          "kernel clock state: unsynchronised; maximum error 16.0 s; no time service found");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"sync-time"});
  }
  SECTION("synchronised: nothing") {
    sync->set_synchronized(true);
    sync->set_service("systemd-timesyncd");
    CHECK(findings_of(s, "clock.unsynchronized").empty());
  }
  SECTION("state unknown (adjtimex failed): nothing") {
    sync->set_service("chronyd");
    CHECK(findings_of(s, "clock.unsynchronized").empty());
  }
}

TEST_CASE("clock.skew: |offset| above 1 s warns, above 60 s is critical", "[findings][system]") {
  auto s = empty_snapshot();
  auto* sync = s.mutable_system()->mutable_time_sync();
  sync->set_synchronized(true);
  sync->set_service("chronyd");
  SECTION("a late clock") {
    sync->set_offset_ms(-1500);
    auto f = findings_of(s, "clock.skew");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Clock off by 1.5 s");
    CHECK(f[0].evidence == "kernel clock offset -1.5 s; synchronised: yes; time service: chronyd");
  }
  SECTION("critical above a minute") {
    sync->set_offset_ms(61000);
    CHECK(findings_of(s, "clock.skew")[0].severity == Severity::kCritical);
    sync->set_offset_ms(60000);
    CHECK(findings_of(s, "clock.skew")[0].severity == Severity::kWarning);
  }
  SECTION("just under: nothing") {
    sync->set_offset_ms(1000);
    CHECK(findings_of(s, "clock.skew").empty());
    sync->set_offset_ms(-999.5);
    CHECK(findings_of(s, "clock.skew").empty());
  }
  SECTION("offset not reported: nothing") { CHECK(findings_of(s, "clock.skew").empty()); }
}

TEST_CASE("system.reboot_pending: info, warning when the running kernel is gone",
          "[findings][system]") {
  auto s = empty_snapshot();
  auto* pending = s.mutable_system()->mutable_pending_reboot();
  SECTION("reboot-required flag") {
    pending->set_required(true);
    pending->add_reasons("/var/run/reboot-required present");
    pending->add_packages("libc6");
    pending->add_packages("linux-image-6.1.0-18-amd64");
    auto f = findings_of(s, "system.reboot_pending");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kInfo);
    CHECK(f[0].evidence ==
          "/var/run/reboot-required present; requested by: libc6 "
          "linux-image-6.1.0-18-amd64");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"reboot"});
  }
  SECTION("running kernel removed") {
    pending->set_required(true);
    pending->add_reasons("running kernel 6.1.0-9-amd64 is no longer installed");
    CHECK(findings_of(s, "system.reboot_pending")[0].severity == Severity::kWarning);
  }
  SECTION("not required: nothing") { CHECK(findings_of(s, "system.reboot_pending").empty()); }
  SECTION("not reported: nothing") {
    s.mutable_system()->clear_pending_reboot();
    CHECK(findings_of(s, "system.reboot_pending").empty());
  }
}

TEST_CASE("system.long_uptime: info above 30 days, warning above 90", "[findings][system]") {
  auto s = empty_snapshot();
  SECTION("45 days") {
    s.mutable_system()->set_boot_time_unix_ms(kAsOfMs - 45 * kDayMs - 3 * kHourMs);
    auto f = findings_of(s, "system.long_uptime");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kInfo);
    CHECK(f[0].title == "Up 45 days without reboot");
    CHECK(f[0].evidence ==
          "up 45 d 3 h at the time of the snapshot; booted 2025-05-01T09:00:00.000Z");
  }
  SECTION("91 days") {
    s.mutable_system()->set_boot_time_unix_ms(kAsOfMs - 91 * kDayMs);
    CHECK(findings_of(s, "system.long_uptime")[0].severity == Severity::kWarning);
  }
  SECTION("exactly 30 days: nothing") {
    s.mutable_system()->set_boot_time_unix_ms(kAsOfMs - 30 * kDayMs);
    CHECK(findings_of(s, "system.long_uptime").empty());
  }
  SECTION("boot time unknown: nothing") { CHECK(findings_of(s, "system.long_uptime").empty()); }
  SECTION("uptime counts to the collection time, not to the evaluation time") {
    s.mutable_system()->set_boot_time_unix_ms(kAsOfMs - 10 * kDayMs);
    auto later = evaluate_findings(s, as_of() + std::chrono::hours(24 * 60));
    CHECK(later.empty());
    s.clear_collected_at_unix_ms();  // then the evaluation time is all there is
    later = evaluate_findings(s, as_of() + std::chrono::hours(24 * 60));
    REQUIRE(later.size() == 1);
    CHECK(later[0].rule_id == "system.long_uptime");
  }
}

TEST_CASE("updates.security_pending: warning, critical from 10", "[findings][system]") {
  auto s = empty_snapshot();
  auto* updates = s.mutable_software()->mutable_updates();
  updates->set_manager("apt");
  updates->set_complete(true);
  updates->set_lists_updated_unix_ms(kAsOfMs - 2 * kDayMs);
  updates->set_pending_count(0);
  updates->set_security_count(0);
  auto add = [&](const std::string& name, bool security) {
    auto* u = updates->add_pending();
    u->set_name(name);
    u->set_arch("amd64");
    u->set_installed_version("1.0-1");
    u->set_candidate_version("1.0-2");
    u->set_security(security);
    updates->set_pending_count(updates->pending_count() + 1);
    if (security) updates->set_security_count(updates->security_count() + 1);
  };
  SECTION("one security update") {
    add("openssl", true);
    add("vim", false);
    auto f = findings_of(s, "updates.security_pending");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "1 security update pending");
    CHECK(f[0].evidence ==
          "1 security updates pending of 2 updates (apt); e.g. openssl 1.0-1 -> "
          "1.0-2; package lists refreshed 2 d before the snapshot");
    CHECK(f[0].suggested_actions.empty());
  }
  SECTION("ten are critical") {
    for (int i = 0; i < 10; ++i) add("lib" + std::to_string(i), true);
    CHECK(findings_of(s, "updates.security_pending")[0].severity == Severity::kCritical);
  }
  SECTION("only non-security updates: nothing") {
    add("vim", false);
    CHECK(findings_of(s, "updates.security_pending").empty());
  }
  SECTION("count not reported: nothing") {
    updates->clear_security_count();
    CHECK(findings_of(s, "updates.security_pending").empty());
  }
}

TEST_CASE("updates.lists_stale: package lists older than 14 days or never fetched",
          "[findings][system]") {
  auto s = empty_snapshot();
  auto* updates = s.mutable_software()->mutable_updates();
  updates->set_manager("apt");
  updates->set_security_count(0);
  SECTION("20 days old") {
    updates->set_lists_updated_unix_ms(kAsOfMs - 20 * kDayMs);
    auto f = findings_of(s, "updates.lists_stale");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].evidence ==
          "apt package lists last refreshed 20 d before the snapshot; security "
          "updates known from those lists: 0");
  }
  SECTION("never fetched") {
    updates->set_lists_updated_unix_ms(0);
    REQUIRE(findings_of(s, "updates.lists_stale").size() == 1);
    CHECK(findings_of(s, "updates.lists_stale")[0].title == "Package lists never refreshed");
  }
  SECTION("exactly 14 days: nothing") {
    updates->set_lists_updated_unix_ms(kAsOfMs - 14 * kDayMs);
    CHECK(findings_of(s, "updates.lists_stale").empty());
  }
  SECTION("update collector did not run: nothing") {
    s.mutable_software()->clear_updates();
    CHECK(findings_of(s, "updates.lists_stale").empty());
  }
}
