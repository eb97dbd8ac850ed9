// Findings on Windows machines: the Windows rules (Windows Update, antivirus, BitLocker,
// firewall profiles, automatic services, bugchecks, commit charge, a long pending reboot), and
// the platform-neutral rules fed a snapshot shaped as the Windows sources fill it.
#include <catch2/catch.hpp>

#include "tests/collector/findings/snapshot_builders.hpp"

using namespace triage::collector;
using namespace triage::collector::testing;

namespace {

/// A Windows 11 workstation as windows_os reports it, and nothing else.
v1::Snapshot windows_snapshot(const std::string& product_type = "workstation") {
  auto s = empty_snapshot();
  auto* sys = s.mutable_system();
  sys->set_hostname("LT-SALES-042");
  sys->set_os_id("windows");
  sys->set_os_pretty_name(product_type == "workstation" ? "Windows 11 Pro 23H2"
                                                        : "Windows Server 2022 Standard 21H2");
  sys->set_os_version_id("10.0.22631");
  sys->set_kernel_release("22631.4532");
  sys->set_arch("x86_64");
  sys->mutable_windows()->set_edition("Professional");
  sys->mutable_windows()->set_build(22631);
  sys->mutable_windows()->set_product_type(product_type);
  return s;
}

/// Microsoft Defender as windows_defender reports a healthy one.
v1::Antivirus& set_defender(v1::Snapshot& s, std::int64_t signature_age_ms = kHourMs) {
  auto* av = s.mutable_security()->mutable_antivirus();
  av->set_product("Microsoft Defender Antivirus");
  av->set_enabled(true);
  av->set_real_time_protection(true);
  av->set_tamper_protection(true);
  av->set_signature_version("1.421.377.0");
  av->set_signatures_updated_unix_ms(kAsOfMs - signature_age_ms);
  av->set_engine_version("1.1.24090.11");
  av->set_last_quick_scan_unix_ms(kAsOfMs - 2 * kDayMs);
  return *av;
}

/// A BitLocker volume as windows_bitlocker reports it.
v1::EncryptedVolume& add_bitlocker(v1::Snapshot& s, const std::string& letter, bool system,
                                   bool protection_on, float percent) {
  auto* v = s.mutable_security()->add_encrypted_volumes();
  v->set_name(letter);
  v->set_type("BitLocker");
  v->set_backing_device("\\\\?\\Volume{6b2f0c1e-9a3d-4e51-b7c8-1d0e2f3a4b5c}\\");
  v->add_mount_points(letter + "\\");
  v->set_active(percent > 0);
  v->set_protection_on(protection_on);
  v->set_encrypted_percent(percent);
  v->set_method(percent > 0 ? "XTS-AES 128" : "");
  v->set_system_volume(system);
  if (system) s.mutable_security()->set_root_encrypted(protection_on);
  return *v;
}

v1::FirewallProfile& add_profile(v1::Snapshot& s, const std::string& name, bool enabled,
                                 bool current) {
  auto* fw = s.mutable_security()->mutable_firewall();
  if (fw->frontends().empty()) fw->add_frontends("Windows Defender Firewall");
  auto* p = fw->add_profiles();
  p->set_name(name);
  p->set_enabled(enabled);
  p->set_current(current);
  p->set_inbound_default("block");
  return *p;
}

/// A Windows service as the Service Control Manager reports it.
v1::ServiceUnit& add_service(v1::Snapshot& s, const std::string& name, bool running,
                             v1::ServiceUnit::StartType start,
                             const std::string& description = "") {
  auto* services = s.mutable_software()->mutable_services();
  services->set_manager("Service Control Manager");
  auto* u = services->add_units();
  u->set_name(name);
  u->set_description(description);
  u->set_active_state(running ? v1::ServiceUnit::ACTIVE : v1::ServiceUnit::INACTIVE);
  u->set_sub_state(running ? "running" : "stopped");
  u->set_start_type(start);
  return *u;
}

v1::Bugcheck& add_bugcheck(v1::Snapshot& s, std::int64_t age_ms, const std::string& code) {
  auto* b = s.mutable_health()->add_bugchecks();
  b->set_time_unix_ms(kAsOfMs - age_ms);
  b->set_code(code);
  b->set_parameters(
      "0x0000000000000003, 0xffffc10f2a6e0060, 0xfffff80562c67750, 0xffffc10f31a8e8a0");
  b->set_dump_path("C:\\Windows\\Minidump\\061225-10921-01.dmp");
  return *b;
}

v1::CommitCharge& set_commit(v1::Snapshot& s, double used_percent) {
  auto* c = s.mutable_health()->mutable_commit();
  c->set_limit_bytes(20 * kGiB);
  c->set_total_bytes(static_cast<std::uint64_t>(20.0 * kGiB * used_percent / 100.0));
  c->set_peak_bytes(c->total_bytes() + kGiB / 2);
  c->set_used_percent(static_cast<float>(used_percent));
  c->set_page_file_total_bytes(4 * kGiB);
  c->set_page_file_used_bytes(3 * kGiB);
  return *c;
}

}  // namespace

// ---------------------------------------------------------------- Windows Update

TEST_CASE("updates.windows_stale: weeks without an installed update", "[findings][windows]") {
  auto s = windows_snapshot();
  auto* updates = s.mutable_software()->mutable_updates();
  updates->set_manager("Windows Update");
  updates->set_last_search_unix_ms(kAsOfMs - 2 * kDayMs);
  SECTION("45 days: warning") {
    updates->set_last_installed_unix_ms(kAsOfMs - 45 * kDayMs);
    auto f = findings_of(s, "updates.windows_stale");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].evidence ==
          "last update installed 45 d before the snapshot; last search for updates 2 d before");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"windows-update-scan"});
    CHECK(f[0].kb_article.size() > 100);
  }
  SECTION("60 days: critical") {
    updates->set_last_installed_unix_ms(kAsOfMs - 60 * kDayMs);
    updates->clear_last_search_unix_ms();
    updates->set_pending_count(3);
    auto f = findings_of(s, "updates.windows_stale");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kCritical);
    CHECK_THAT(f[0].evidence, Catch::Contains("no search for updates recorded"));
    CHECK_THAT(f[0].evidence, Catch::Contains("3 updates pending"));
  }
  SECTION("30 days: nothing yet") {
    updates->set_last_installed_unix_ms(kAsOfMs - 30 * kDayMs);
    CHECK(findings_of(s, "updates.windows_stale").empty());
  }
  SECTION("never recorded: absent, not evidence") {
    CHECK(findings_of(s, "updates.windows_stale").empty());
    // Windows Update has no package lists to be stale.
    CHECK(findings_of(s, "updates.lists_stale").empty());
  }
  SECTION("another manager (apt) never fires it") {
    updates->set_manager("apt");
    updates->set_last_installed_unix_ms(kAsOfMs - 90 * kDayMs);
    CHECK(findings_of(s, "updates.windows_stale").empty());
  }
}

// ---------------------------------------------------------------- antivirus

TEST_CASE("security.antivirus_off: off, or real-time protection off", "[findings][windows]") {
  auto s = windows_snapshot();
  auto& av = set_defender(s);
  SECTION("healthy: nothing") { CHECK(findings_of(s, "security.antivirus_off").empty()); }
  SECTION("antivirus off") {
    av.set_enabled(false);
    av.set_real_time_protection(false);
    auto f = findings_of(s, "security.antivirus_off");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kCritical);
    CHECK(f[0].subject == "Microsoft Defender Antivirus");
    CHECK(f[0].title == "Microsoft Defender Antivirus is off");
    CHECK(f[0].evidence ==
          "Microsoft Defender Antivirus: antivirus off, real-time protection off; tamper "
          "protection on");
  }
  SECTION("only real-time protection off") {
    av.set_real_time_protection(false);
    av.clear_tamper_protection();
    auto f = findings_of(s, "security.antivirus_off");
    REQUIRE(f.size() == 1);
    CHECK(f[0].title == "Microsoft Defender Antivirus: real-time protection off");
    CHECK(f[0].evidence == "Microsoft Defender Antivirus: real-time protection off");
  }
  SECTION("unknown switches (Security Center reports no real-time state): nothing") {
    av.clear_enabled();
    av.clear_real_time_protection();
    CHECK(findings_of(s, "security.antivirus_off").empty());
  }
}

TEST_CASE("security.antivirus_signatures_old: 3 days warning, 7 critical", "[findings][windows]") {
  auto s = windows_snapshot();
  SECTION("5 days (the recorded laptop): warning") {
    set_defender(s, 5 * kDayMs + 3 * kHourMs);
    auto f = findings_of(s, "security.antivirus_signatures_old");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Antivirus signatures 5 d 3 h old");
    CHECK(f[0].evidence ==
          "Microsoft Defender Antivirus signatures 1.421.377.0 updated 5 d 3 h before the "
          "snapshot; engine 1.1.24090.11");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"windows-update-scan"});
  }
  SECTION("7 days: critical") {
    set_defender(s, 7 * kDayMs);
    CHECK(findings_of(s, "security.antivirus_signatures_old")[0].severity == Severity::kCritical);
  }
  SECTION("3 days: nothing yet") {
    set_defender(s, 3 * kDayMs);
    CHECK(findings_of(s, "security.antivirus_signatures_old").empty());
  }
  SECTION("no date reported: nothing") {
    set_defender(s).clear_signatures_updated_unix_ms();
    CHECK(findings_of(s, "security.antivirus_signatures_old").empty());
  }
}

// ---------------------------------------------------------------- BitLocker

TEST_CASE("security.bitlocker_off: the system volume unprotected", "[findings][windows]") {
  SECTION("a workstation's C: not encrypted: warning") {
    auto s = windows_snapshot("workstation");
    add_bitlocker(s, "C:", true, false, 0);
    add_bitlocker(s, "D:", false, false, 0);  // a data volume: not this rule's business
    auto f = findings_of(s, "security.bitlocker_off");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].subject == "C:");
    CHECK(f[0].title == "System volume C: not encrypted");
    CHECK(f[0].evidence == "C:: BitLocker protection off; 0.0 % encrypted; workstation");
    CHECK(f[0].suggested_actions.empty());
  }
  SECTION("a server's C: not encrypted (the recorded server): info") {
    auto s = windows_snapshot("server");
    add_bitlocker(s, "C:", true, false, 0);
    auto f = findings_of(s, "security.bitlocker_off");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kInfo);
  }
  SECTION("encrypted but suspended: a restart resumes it") {
    auto s = windows_snapshot();
    add_bitlocker(s, "C:", true, false, 100);
    auto f = findings_of(s, "security.bitlocker_off");
    REQUIRE(f.size() == 1);
    CHECK(f[0].title == "BitLocker suspended on C:");
    CHECK(f[0].evidence ==
          "C:: BitLocker protection off; the volume is encrypted but protection is suspended; "
          "XTS-AES 128; workstation");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"reboot-windows"});
  }
  SECTION("protected (the recorded laptop): nothing") {
    auto s = windows_snapshot();
    add_bitlocker(s, "C:", true, true, 100);
    CHECK(findings_of(s, "security.bitlocker_off").empty());
  }
  SECTION("protection unknown (a locked volume): nothing") {
    auto s = windows_snapshot();
    add_bitlocker(s, "C:", true, false, 0).clear_protection_on();
    CHECK(findings_of(s, "security.bitlocker_off").empty());
  }
  SECTION("a Linux LUKS volume is not BitLocker") {
    auto s = empty_snapshot();
    auto* v = s.mutable_security()->add_encrypted_volumes();
    v->set_name("luks-root");
    v->set_type("LUKS2");
    v->set_system_volume(true);
    v->set_protection_on(false);
    CHECK(findings_of(s, "security.bitlocker_off").empty());
  }
}

// ---------------------------------------------------------------- firewall

TEST_CASE("security.firewall_profile_off: the current network's profile off",
          "[findings][windows]") {
  auto s = windows_snapshot();
  add_profile(s, "domain", false, false);
  SECTION("the current public profile off: warning") {
    add_profile(s, "private", true, false);
    add_profile(s, "public", false, true).set_inbound_default("allow");
    auto f = findings_of(s, "security.firewall_profile_off");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].subject == "public");
    CHECK(f[0].title == "Firewall off on the public network");
    CHECK(f[0].evidence ==
          "the public profile applies to a network the machine is on now and is off; inbound "
          "connections without a rule: allow; Windows Defender Firewall");
  }
  SECTION("a profile off that is not current (domain, at home): nothing") {
    add_profile(s, "private", true, true);
    CHECK(findings_of(s, "security.firewall_profile_off").empty());
  }
  SECTION("current profiles unknown: nothing") {
    add_profile(s, "private", false, false);
    CHECK(findings_of(s, "security.firewall_profile_off").empty());
  }
}

// ---------------------------------------------------------------- services

TEST_CASE("service.auto_start_stopped: automatic services not running", "[findings][windows]") {
  auto s = windows_snapshot("server");
  add_service(s, "LanmanServer", true, v1::ServiceUnit::AUTO, "Server");
  add_service(s, "wuauserv", false, v1::ServiceUnit::MANUAL, "Windows Update");
  add_service(s, "sppsvc", false, v1::ServiceUnit::AUTO_DELAYED, "Software Protection");
  add_service(s, "WinRM", false, v1::ServiceUnit::AUTO, "Windows Remote Management")
      .set_trigger_start(true);
  SECTION("the recorded server's Print Spooler: warning, named") {
    add_service(s, "Spooler", false, v1::ServiceUnit::AUTO, "Print Spooler").set_exit_code(1067);
    auto f = findings_of(s, "service.auto_start_stopped");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].subject == "Spooler");
    CHECK(f[0].title == "Automatic service Spooler stopped");
    CHECK(f[0].evidence ==
          "1 automatic service not running: Spooler (Print Spooler) exit code 1067");
    CHECK(f[0].suggested_actions ==
          std::vector<std::string>{"restart-windows-service", "collect-windows-log-bundle"});
  }
  SECTION("many: one finding listing the first ten") {
    for (int i = 0; i < 12; ++i)
      add_service(s, "Svc" + std::to_string(i), false, v1::ServiceUnit::AUTO_DELAYED);
    auto f = findings_of(s, "service.auto_start_stopped");
    REQUIRE(f.size() == 1);
    CHECK(f[0].subject.empty());
    CHECK(f[0].title == "12 automatic services stopped");
    CHECK_THAT(f[0].evidence, Catch::StartsWith("12 automatic services not running: Svc0, Svc1"));
    CHECK_THAT(f[0].evidence, Catch::EndsWith("Svc9 and 2 more"));
  }
  SECTION("manual, trigger-started and stop-by-design services: nothing") {
    CHECK(findings_of(s, "service.auto_start_stopped").empty());
  }
  SECTION("a Linux unit has no start type: nothing") {
    auto linux = empty_snapshot();
    add_unit(linux, "cups.service", v1::ServiceUnit::INACTIVE, "dead");
    CHECK(findings_of(linux, "service.auto_start_stopped").empty());
  }
}

// ---------------------------------------------------------------- bugchecks

TEST_CASE("system.bugcheck_recent: blue screens of the last 7 days", "[findings][windows]") {
  auto s = windows_snapshot("server");
  SECTION("one 3 days ago (the recorded server): warning") {
    add_bugcheck(s, 3 * kDayMs, "0x0000009f");
    add_bugcheck(s, 30 * kDayMs, "0x000000d1");  // too old to count
    auto f = findings_of(s, "system.bugcheck_recent");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Blue screen 3 d ago");
    CHECK_THAT(f[0].evidence,
               Catch::StartsWith("1 stop error in the last 7 days; newest 3 d before the "
                                 "snapshot: 0x0000009f (0x0000000000000003, "));
    CHECK_THAT(f[0].evidence, Catch::EndsWith("; dump C:\\Windows\\Minidump\\061225-10921-01.dmp"));
    CHECK(f[0].suggested_actions ==
          std::vector<std::string>{"collect-windows-log-bundle", "windows-update-scan"});
  }
  SECTION("two: critical") {
    add_bugcheck(s, 3 * kDayMs, "0x0000009f");
    add_bugcheck(s, 6 * kDayMs, "0x0000009f");
    auto f = findings_of(s, "system.bugcheck_recent");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kCritical);
    CHECK(f[0].title == "2 blue screens in 7 days");
  }
  SECTION("only old ones, or none: nothing") {
    add_bugcheck(s, 8 * kDayMs, "0x0000009f");
    CHECK(findings_of(s, "system.bugcheck_recent").empty());
  }
}

// ---------------------------------------------------------------- commit charge

TEST_CASE("memory.commit_high: commit charge near its limit", "[findings][windows]") {
  auto s = windows_snapshot();
  SECTION("92 %: warning, the largest process named") {
    set_commit(s, 92);
    add_process(s, 4242, "Teams.exe", 3, 3 * kGiB).set_user("maria");
    auto f = findings_of(s, "memory.commit_high");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Commit charge 92 % of its limit");
    CHECK_THAT(f[0].evidence, Catch::StartsWith("commit charge 92.0 % (18.4 GiB of 20.0 GiB "
                                                "limit, peak 18.9 GiB); page files 3.0 GiB "
                                                "used of 4.0 GiB"));
    CHECK_THAT(f[0].evidence, Catch::Contains("largest process: Teams.exe (pid 4242"));
    CHECK(f[0].suggested_actions == std::vector<std::string>{"kill-process"});
  }
  SECTION("97 %: critical") {
    set_commit(s, 97);
    CHECK(findings_of(s, "memory.commit_high")[0].severity == Severity::kCritical);
  }
  SECTION("89.9 %: nothing") {
    set_commit(s, 89.9);
    CHECK(findings_of(s, "memory.commit_high").empty());
  }
  SECTION("no percentage reported: nothing") {
    set_commit(s, 99).clear_used_percent();
    CHECK(findings_of(s, "memory.commit_high").empty());
  }
}

// ---------------------------------------------------------------- pending reboot

TEST_CASE("system.reboot_pending: pending for over a week escalates, on Windows and Linux",
          "[findings][windows]") {
  SECTION("the recorded laptop: 9 days, Windows Update and CBS") {
    auto s = windows_snapshot();
    auto* pending = s.mutable_system()->mutable_pending_reboot();
    pending->set_required(true);
    pending->add_reasons("Windows Update: RebootRequired");
    pending->add_reasons("Component Based Servicing: RebootPending");
    pending->set_since_unix_ms(kAsOfMs - 9 * kDayMs - 5 * kHourMs);
    auto f = findings_of(s, "system.reboot_pending");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].evidence ==
          "Windows Update: RebootRequired; Component Based Servicing: RebootPending; pending "
          "for 9 days");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"reboot-windows"});
  }
  SECTION("a Linux machine pending for 8 days") {
    auto s = empty_snapshot();
    auto* pending = s.mutable_system()->mutable_pending_reboot();
    pending->set_required(true);
    pending->add_reasons("/var/run/reboot-required present");
    pending->set_since_unix_ms(kAsOfMs - 8 * kDayMs);
    auto f = findings_of(s, "system.reboot_pending");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].evidence == "/var/run/reboot-required present; pending for 8 days");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"reboot"});
  }
  SECTION("pending for 7 days: still info") {
    auto s = windows_snapshot();
    auto* pending = s.mutable_system()->mutable_pending_reboot();
    pending->set_required(true);
    pending->add_reasons("Windows Update: RebootRequired");
    pending->set_since_unix_ms(kAsOfMs - 7 * kDayMs);
    auto f = findings_of(s, "system.reboot_pending");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kInfo);
    CHECK(f[0].evidence == "Windows Update: RebootRequired");
  }
}

// ---------------------------------------------------------------- rules shared with Linux

TEST_CASE("disk.full on Windows drive letters", "[findings][windows]") {
  auto s = windows_snapshot("server");
  add_filesystem(s, "C:\\", 61, 120 * kGiB, "NTFS");
  add_filesystem(s, "D:\\", 97.2, 2048 * kGiB, "ReFS").set_device("\\\\?\\Volume{5f1a2b3c}\\");
  // A DVD in the drive: read-only, an image format in Windows' capitals.
  add_filesystem(s, "E:\\", 100, 4 * kGiB, "UDF");
  add_filesystem(s, "F:\\", 100, kGiB / 2, "CDFS");
  auto f = findings_of(s, "disk.full");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "D:\\");
  CHECK(f[0].severity == Severity::kCritical);
  CHECK(f[0].title == "Disk D:\\ 97 % full");
  CHECK_THAT(f[0].evidence, Catch::StartsWith("D:\\: 97.2 % used ("));
  CHECK_THAT(f[0].evidence, Catch::EndsWith("; ReFS on \\\\?\\Volume{5f1a2b3c}\\"));
  CHECK(f[0].suggested_actions.empty());  // Linux cleanups do not apply to a drive letter
}

TEST_CASE("battery.worn on a Windows laptop", "[findings][windows]") {
  auto s = windows_snapshot();
  add_battery(s, "BAT0", 33.6, 57.0).set_model("5B10W51867");
  auto f = findings_of(s, "battery.worn");
  REQUIRE(f.size() == 1);
  CHECK(f[0].title == "Battery BAT0 worn (58 % of design capacity)");
  CHECK_THAT(f[0].evidence, Catch::StartsWith("BAT0 (5B10W51867): health 58.9 %"));
}

TEST_CASE("crash.recent with Windows Error Reporting and minidumps", "[findings][windows]") {
  auto s = windows_snapshot();
  for (int i = 0; i < 3; ++i) {
    add_crash(s, "OUTLOOK.EXE", (i + 1) * kHourMs, v1::CrashDump::WER)
        .set_path("C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive\\AppCrash_OUTLOOK." +
                  std::to_string(i));
  }
  add_crash(s, "ntoskrnl.exe", 3 * kDayMs, v1::CrashDump::MINIDUMP)
      .set_path("C:\\Windows\\Minidump\\112826-10921-01.dmp");
  SECTION("a program crashing repeatedly, and a minidump as a kernel crash") {
    auto f = findings_of(s, "crash.recent");
    REQUIRE(f.size() == 2);
    CHECK(f[0].subject == "OUTLOOK.EXE");
    CHECK(f[0].severity == Severity::kWarning);
    CHECK_THAT(f[0].evidence, Catch::Contains("(Windows Error Reporting, 2.0 MiB)"));
    CHECK(f[1].subject == "ntoskrnl.exe");
    CHECK(f[1].severity == Severity::kWarning);
    CHECK(f[1].title == "Windows stopped with a bugcheck (minidump)");
    for (const auto& finding : f) {
      CHECK(finding.suggested_actions == std::vector<std::string>{"collect-windows-log-bundle"});
    }
  }
  SECTION("with the bugcheck reported, the minidump is left to system.bugcheck_recent") {
    add_bugcheck(s, 3 * kDayMs, "0x0000009f");
    auto f = findings_of(s, "crash.recent");
    REQUIRE(f.size() == 1);
    CHECK(f[0].subject == "OUTLOOK.EXE");
    CHECK(findings_of(s, "system.bugcheck_recent").size() == 1);
  }
}

TEST_CASE("print.stuck_jobs on the Windows print spooler", "[findings][windows]") {
  auto s = windows_snapshot("server");
  auto* printing = s.mutable_health()->mutable_printing();
  printing->set_spooler("Windows print spooler");
  printing->set_spooler_running(true);
  auto* printer = printing->add_printers();
  printer->set_name("HP LaserJet M507 (2. OG)");
  printer->set_state(v1::Printer::STOPPED);
  printer->set_accepting(true);
  printer->set_message("Paper jam");
  auto* job = printing->add_jobs();
  job->set_id("HP LaserJet M507 (2. OG),14");
  job->set_printer("HP LaserJet M507 (2. OG)");
  job->set_submitted_unix_ms(kAsOfMs - 3 * kHourMs);
  job->set_stuck(true);
  printing->set_stuck_jobs(1);
  auto f = findings_of(s, "print.stuck_jobs");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "HP LaserJet M507 (2. OG)");
  CHECK(f[0].evidence ==
        "1 stuck job on HP LaserJet M507 (2. OG), oldest submitted 3 h before the snapshot; "
        "printer stopped; the spooler says \"Paper jam\"");
  CHECK(f[0].suggested_actions == std::vector<std::string>{"clear-windows-print-queue"});
  SECTION("no spooler reported: absent, not evidence") {
    printing->clear_spooler();
    CHECK(findings_of(s, "print.stuck_jobs").empty());
  }
}

TEST_CASE("network.dns_failing on Windows", "[findings][windows]") {
  auto s = windows_snapshot();
  add_interface(s, "Wi-Fi", {"192.168.178.34"}).set_kind(v1::NetworkInterface::WIRELESS);
  add_probe(s, v1::Probe::DNS, "192.168.178.1 example.com", v1::Probe::TIMEOUT);
  add_probe(s, v1::Probe::DNS, "1.1.1.1 example.com", v1::Probe::OK);
  auto f = findings_of(s, "network.dns_failing");
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == Severity::kWarning);
  CHECK_THAT(f[0].evidence, Catch::StartsWith("query 192.168.178.1 example.com: timeout"));
  CHECK(f[0].suggested_actions == std::vector<std::string>{"flush-dns-windows"});
}

TEST_CASE("clock.skew on Windows: the offset measured against w32time's server",
          "[findings][windows]") {
  auto s = windows_snapshot();
  auto* sync = s.mutable_system()->mutable_time_sync();
  sync->set_offset_ms(-75000);
  sync->set_max_error_ms(21);
  sync->set_offset_source("time.windows.com (20.101.57.9)");
  sync->set_service("w32time (NTP time.windows.com)");
  auto f = findings_of(s, "clock.skew");
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == Severity::kCritical);
  CHECK(f[0].evidence ==
        "clock offset -75.0 s from time.windows.com (20.101.57.9) (maximum error 21 ms); time "
        "service: w32time (NTP time.windows.com)");
  CHECK(f[0].suggested_actions == std::vector<std::string>{"sync-time-windows"});
}

TEST_CASE("clock.unsynchronized on Windows: w32time told not to synchronise",
          "[findings][windows]") {
  auto s = windows_snapshot();
  auto* sync = s.mutable_system()->mutable_time_sync();
  sync->set_service("w32time (not synchronising: Type NoSync)");
  CHECK(findings_of(s, "clock.unsynchronized").empty());  // unknown is not evidence
  sync->set_synchronized(false);
  auto f = findings_of(s, "clock.unsynchronized");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == "time service: w32time (not synchronising: Type NoSync)");
  // A resync cannot help a service told not to synchronise: the fix is its configuration.
  CHECK(f[0].suggested_actions.empty());
}

TEST_CASE("memory.low on Windows", "[findings][windows]") {
  auto s = windows_snapshot();
  set_memory(s, 16 * kGiB, 600 * kMiB);
  s.mutable_hardware()->mutable_memory()->set_swap_total_bytes(4 * kGiB);
  s.mutable_hardware()->mutable_memory()->set_swap_free_bytes(kGiB);
  add_process(s, 8812, "chrome.exe", 12, 2 * kGiB);
  auto f = findings_of(s, "memory.low");
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == Severity::kWarning);
  CHECK_THAT(f[0].evidence, Catch::Contains("swap 3.0 GiB of 4.0 GiB used"));
  CHECK_THAT(f[0].evidence, Catch::Contains("largest process: chrome.exe (pid 8812"));
  CHECK(f[0].suggested_actions == std::vector<std::string>{"kill-process"});
}

// ---------------------------------------------------------------- event log

namespace {

v1::EventSourceErrors& add_event_source(v1::Snapshot& s, const std::string& log,
                                        const std::string& source, std::uint32_t count,
                                        std::uint32_t last_event_id = 7) {
  auto* events = s.mutable_health()->mutable_event_log();
  events->set_available(true);
  events->set_window_hours(24);
  events->set_total(events->total() + count);
  auto* e = events->add_sources();
  e->set_log(log);
  e->set_source(source);
  e->set_count(count);
  e->set_last_unix_ms(kAsOfMs - 2 * kHourMs);
  e->set_last_event_id(last_event_id);
  e->set_last_message("The device, \\Device\\Harddisk0\\DR0, has a bad block.");
  return *e;
}

}  // namespace

TEST_CASE("eventlog.source_errors: disk errors at once, other sources when they are many",
          "[findings][windows]") {
  auto s = windows_snapshot();
  SECTION("one bad block from Disk: warning, with the newest event") {
    add_event_source(s, "System", "Disk", 1);
    auto f = findings_of(s, "eventlog.source_errors");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].subject == "System/Disk");
    CHECK(f[0].title == "Disk errors logged by Disk");
    CHECK(f[0].evidence ==
          "System log, Disk: 1 error in the last 24 h; newest 2 h before the snapshot, event 7: "
          "The device, \\Device\\Harddisk0\\DR0, has a bad block.");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"collect-windows-log-bundle"});
  }
  SECTION("NTFS: the file system is already damaged, critical") {
    add_event_source(s, "System", "Ntfs", 3, 55).set_last_message("A corruption was discovered.");
    auto f = findings_of(s, "eventlog.source_errors");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kCritical);
    CHECK(f[0].title == "File system errors logged by Ntfs");
  }
  SECTION("50 errors from one source, 49 from another, DCOM's 10016 never") {
    add_event_source(s, "Application", "MsiInstaller", 50, 11708);
    add_event_source(s, "System", "Service Control Manager", 49, 7031);
    add_event_source(s, "System", "Microsoft-Windows-DistributedCOM", 400, 10016);
    s.mutable_health()->mutable_event_log()->set_truncated(true);
    auto f = findings_of(s, "eventlog.source_errors");
    REQUIRE(f.size() == 1);
    CHECK(f[0].subject == "Application/MsiInstaller");
    CHECK(f[0].title == "Many errors logged by MsiInstaller");
    CHECK_THAT(f[0].evidence, Catch::StartsWith("Application log, MsiInstaller: 50 errors in the "
                                                "last 24 h; newest 2 h before the snapshot, "
                                                "event 11708"));
    CHECK_THAT(f[0].evidence, Catch::EndsWith("counts are lower bounds"));
  }
  SECTION("a log the agent could not read says nothing") {
    add_event_source(s, "System", "Disk", 5);
    s.mutable_health()->mutable_event_log()->set_available(false);
    CHECK(findings_of(s, "eventlog.source_errors").empty());
  }
}
