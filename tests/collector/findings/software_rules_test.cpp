// Findings rules about services, processes, logs and crashes.
#include <catch2/catch.hpp>

#include "tests/collector/findings/snapshot_builders.hpp"

using namespace triage::collector;
using namespace triage::collector::testing;
using triage::v1::ServiceUnit;

TEST_CASE("service.failed: one finding per failed unit", "[findings][software]") {
  auto s = empty_snapshot();
  add_unit(s, "ssh.service", ServiceUnit::ACTIVE, "running");
  add_unit(s, "apt-daily.service", ServiceUnit::INACTIVE, "dead");
  SECTION("failed services can be restarted; a failed mount cannot") {
    add_unit(s, "cups.service", ServiceUnit::FAILED, "failed").set_description("CUPS Scheduler");
    add_unit(s, "mnt-backup.mount", ServiceUnit::FAILED, "failed");
    auto* journal = s.mutable_health()->mutable_journal();
    journal->set_available(true);
    journal->set_window_hours(24);
    auto* u = journal->add_units();
    u->set_unit("cups.service");
    u->set_count(12);
    auto f = findings_of(s, "service.failed");
    REQUIRE(f.size() == 2);
    CHECK(f[0].subject == "cups.service");
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Service cups.service failed");
    CHECK(f[0].evidence ==
          "cups.service: active state failed (failed), loaded; \"CUPS "
          "Scheduler\"; 12 error entries in the journal over the last 24 h");
    CHECK(f[0].suggested_actions ==
          std::vector<std::string>{"restart-service", "collect-log-bundle"});
    CHECK(f[1].subject == "mnt-backup.mount");
    CHECK(f[1].suggested_actions == std::vector<std::string>{"collect-log-bundle"});
  }
  SECTION("active, inactive and activating units: nothing") {
    add_unit(s, "NetworkManager-wait-online.service", ServiceUnit::ACTIVATING, "start");
    CHECK(findings_of(s, "service.failed").empty());
  }
  SECTION("systemd not running / units not reported: nothing") {
    s.mutable_software()->clear_services();
    s.mutable_software()->mutable_services()->set_systemd_running(false);
    CHECK(findings_of(s, "service.failed").empty());
  }
}

TEST_CASE("process.cpu_hog: a process at >= 90 % of one CPU", "[findings][software]") {
  auto s = empty_snapshot();
  s.mutable_software()->mutable_process_summary()->set_sample_ms(1000);
  s.mutable_health()->mutable_load()->set_cpu_count(4);
  s.mutable_health()->mutable_load()->set_load1(1.52);
  add_process(s, 1, "systemd", 0.1F);
  SECTION("fires over a sampling window, one finding per program name") {
    add_process(s, 3120, "chrome", 99.5F);
    add_process(s, 3121, "chrome", 90.0F);
    auto f = findings_of(s, "process.cpu_hog");
    REQUIRE(f.size() == 1);
    CHECK(f[0].subject == "chrome");
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Process chrome keeps a CPU busy (99 %)");
    CHECK(f[0].evidence ==
          "pid 3120 99.5 % of one CPU, user alice, state R, command \"/usr/bin/chrome\"; pid "
          "3121 90.0 % of one CPU, user alice, state R, command \"/usr/bin/chrome\"; measured "
          "over a 1 s sample; 4 CPUs, load 1.5");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"kill-process"});
  }
  SECTION("just under: nothing") {
    add_process(s, 3120, "chrome", 89.9F);
    CHECK(findings_of(s, "process.cpu_hog").empty());
  }
  SECTION("a kernel thread is reported but not offered for killing") {
    add_process(s, 77, "kworker/u8:3", 95.0F).set_command_line("[kworker/u8:3]");
    auto f = findings_of(s, "process.cpu_hog");
    REQUIRE(f.size() == 1);
    CHECK(f[0].suggested_actions.empty());
  }
  SECTION("without a sampling window, only long-running processes count") {
    s.mutable_software()->mutable_process_summary()->set_sample_ms(0);
    add_process(s, 500, "young", 100.0F).set_start_time_unix_ms(kAsOfMs - 5 * kMinuteMs);
    add_process(s, 501, "unknown_start", 100.0F).set_start_time_unix_ms(0);
    add_process(s, 502, "old", 100.0F).set_start_time_unix_ms(kAsOfMs - 3 * kHourMs);
    auto f = findings_of(s, "process.cpu_hog");
    REQUIRE(f.size() == 1);
    CHECK(f[0].subject == "old");
    CHECK(f[0].evidence.find("average since the process started") != std::string::npos);
  }
  SECTION("no process list: nothing") {
    s.mutable_software()->clear_top_processes();
    CHECK(findings_of(s, "process.cpu_hog").empty());
  }
}

TEST_CASE("journal.unit_errors: a unit logging >= 100 errors in the window",
          "[findings][software]") {
  auto s = empty_snapshot();
  auto* journal = s.mutable_health()->mutable_journal();
  journal->set_available(true);
  journal->set_window_hours(24);
  auto add = [&](const std::string& unit, std::uint32_t count) {
    auto* u = journal->add_units();
    u->set_unit(unit);
    u->set_count(count);
    journal->set_total(journal->total() + count);
  };
  SECTION("fires per unit") {
    add("gdm.service", 340);
    add("kernel", 3);
    auto f = findings_of(s, "journal.unit_errors");
    REQUIRE(f.size() == 1);
    CHECK(f[0].subject == "gdm.service");
    CHECK(f[0].evidence ==
          "gdm.service: 340 error-level journal entries in the last 24 h (343 for all units)");
  }
  SECTION("just under: nothing") {
    add("gdm.service", 99);
    CHECK(findings_of(s, "journal.unit_errors").empty());
  }
  SECTION("journal not available: nothing") {
    add("gdm.service", 340);
    journal->set_available(false);
    CHECK(findings_of(s, "journal.unit_errors").empty());
  }
}

TEST_CASE("crash.recent: crash reports of the last 7 days per program", "[findings][software]") {
  auto s = empty_snapshot();
  SECTION("one crash is info") {
    add_crash(s, "/usr/bin/firefox", 2 * kHourMs);
    auto f = findings_of(s, "crash.recent");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kInfo);
    CHECK(f[0].subject == "/usr/bin/firefox");
    CHECK(f[0].evidence ==
          "1 crash report in the last 7 days; newest 2 h before the snapshot: "
          "/var/crash/_usr_bin_firefox.1.crash (apport, 2.0 MiB)");
  }
  SECTION("three crashes of one program are a warning; programs are separate") {
    add_crash(s, "evince", 1 * kDayMs);
    add_crash(s, "evince", 2 * kDayMs);
    add_crash(s, "evince", 3 * kDayMs);
    add_crash(s, "gedit", 1 * kDayMs);
    auto f = findings_of(s, "crash.recent");
    REQUIRE(f.size() == 2);
    CHECK(f[0].subject == "evince");
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[1].subject == "gedit");
    CHECK(f[1].severity == Severity::kInfo);
  }
  SECTION("a kernel crash dump is a warning") {
    add_crash(s, "kernel", kDayMs, triage::v1::CrashDump::KDUMP);
    auto f = findings_of(s, "crash.recent");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Kernel crashed (kdump)");
  }
  SECTION("Windows: Outlook crashing repeatedly, and a bugcheck's kernel dump") {
    for (int day = 0; day < 4; ++day) {
      add_crash(s, "OUTLOOK.EXE", day * 18 * kHourMs + kHourMs, triage::v1::CrashDump::WER);
    }
    add_crash(s, "kernel", 3 * kDayMs, triage::v1::CrashDump::MINIDUMP);
    auto f = findings_of(s, "crash.recent");
    REQUIRE(f.size() == 2);
    CHECK(f[0].subject == "OUTLOOK.EXE");
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Program OUTLOOK.EXE crashed");
    CHECK_THAT(f[0].evidence, Catch::Matchers::StartsWith("4 crash reports in the last 7 days"));
    CHECK_THAT(f[0].evidence, Catch::Matchers::Contains("(Windows Error Reporting, "));
    CHECK(f[1].subject == "kernel");
    CHECK(f[1].severity == Severity::kWarning);
    CHECK(f[1].title == "Windows stopped with a bugcheck (minidump)");
  }
  SECTION("older than 7 days: nothing") {
    add_crash(s, "evince", 7 * kDayMs + kMinuteMs);
    CHECK(findings_of(s, "crash.recent").empty());
  }
  SECTION("no crash data: nothing") { CHECK(findings_of(s, "crash.recent").empty()); }
}
