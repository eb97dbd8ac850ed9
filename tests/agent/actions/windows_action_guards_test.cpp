// The endpoint's own rules for the Windows actions, decided without Windows: which services
// restart-windows-service refuses by name and what it does by state, which processes
// kill-process-windows never ends, and which spool folder entries clear-windows-print-queue
// deletes. (The Win32 side runs under Wine: tests/windows/windows_actions_test.cpp.)

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "agent/actions/spool_job_files.hpp"
#include "agent/actions/windows_process_guard.hpp"
#include "agent/actions/windows_service_guard.hpp"

using namespace triage;
using namespace triage::agent;

TEST_CASE("restart-windows-service refuses the deny-listed services, in any case") {
  const std::string name = GENERATE(
      "triage-agent", "RpcSs", "rpcss", "RPCEPTMAPPER", "DcomLaunch", "LSM", "ProfSvc", "SamSs",
      "EventLog", "eventlog", "Schedule", "WinDefend", "WdNisSvc", "Sense", "MpsSvc", "BFE",
      "TrustedInstaller", "msiserver", "TermService", "nsi", "KeyIso", "wscsvc");
  INFO(name);
  auto r = check_restartable_windows_service(name);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kDenied);
  CHECK_THAT(r.error().message, Catch::Contains("refuses " + name));
}

TEST_CASE("restart-windows-service accepts ordinary services and refuses malformed names") {
  for (const char* name : {"Spooler", "wuauserv", "W32Time", "BITS", "CryptSvc", "Dhcp",
                           "MSSQL$SQLEXPRESS", "CDPUserSvc_4f3a1", "Netlogon", "DNS"}) {
    INFO(name);
    CHECK(check_restartable_windows_service(name));
  }
  for (const char* name : {"", "-Spooler", "Print Spooler", "..\\Spooler", "Spooler\n", "a/b",
                           "x\"y", "%SystemRoot%"}) {
    INFO(name);
    auto r = check_restartable_windows_service(name);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("key name"));
  }
  CHECK_FALSE(check_restartable_windows_service(std::string(81, 'a')));
  CHECK(check_restartable_windows_service(std::string(80, 'a')));
}

TEST_CASE("on a domain controller the directory's services are refused as well") {
  for (const char* name : {"Netlogon", "netlogon", "NTDS", "kdc", "DNS", "DFSR", "IsmServ"}) {
    INFO(name);
    auto r = check_restartable_on_domain_controller(name);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("on a domain controller"));
  }
  CHECK(check_restartable_on_domain_controller("Spooler"));
}

TEST_CASE("restart-windows-service restarts a running service and starts a failed one only") {
  WinServiceFacts running;
  running.start_type = WinStartType::kAuto;
  running.state = WinServiceState::kRunning;
  running.accepts_stop = true;
  CHECK(plan_service_restart("Spooler", running) == RestartPlan::kStopThenStart);
  auto manual = running;
  manual.start_type = WinStartType::kManual;
  CHECK(plan_service_restart("Spooler", manual) == RestartPlan::kStopThenStart);

  WinServiceFacts crashed;
  crashed.start_type = WinStartType::kAuto;
  crashed.state = WinServiceState::kStopped;
  crashed.win32_exit_code = 1067;  // ERROR_PROCESS_ABORTED
  CHECK(plan_service_restart("Spooler", crashed) == RestartPlan::kStart);
  auto specific = crashed;
  specific.win32_exit_code = 1066;  // ERROR_SERVICE_SPECIFIC_ERROR
  specific.service_exit_code = 3;
  CHECK(plan_service_restart("Spooler", specific) == RestartPlan::kStart);

  struct Case {
    const char* what;
    WinServiceFacts facts;
    const char* expect;
  };
  auto with = [&](auto change) {
    auto f = running;
    change(f);
    return f;
  };
  const std::vector<Case> cases = {
      {"disabled", with([](auto& f) { f.start_type = WinStartType::kDisabled; }), "disabled"},
      {"a driver", with([](auto& f) { f.driver = true; }), "driver"},
      {"a boot driver", with([](auto& f) { f.start_type = WinStartType::kBoot; }), "driver"},
      {"stopped cleanly", with([](auto& f) { f.state = WinServiceState::kStopped; }),
       "last stop was clean"},
      {"never started since boot", with([](auto& f) {
         f.state = WinServiceState::kStopped;
         f.win32_exit_code = 1077;  // ERROR_SERVICE_NEVER_STARTED
       }),
       "last stop was clean"},
      {"starting", with([](auto& f) { f.state = WinServiceState::kStartPending; }),
       "start pending"},
      {"stopping", with([](auto& f) { f.state = WinServiceState::kStopPending; }), "stop pending"},
      {"not stoppable", with([](auto& f) { f.accepts_stop = false; }), "stop request"},
      {"with running dependents", with([](auto& f) {
         f.active_dependents = {"Fax", "PrintNotify"};
       }),
       "Fax, PrintNotify"},
      {"disabled and crashed",
       [&] {
         auto f = crashed;
         f.start_type = WinStartType::kDisabled;
         return f;
       }(),
       "disabled"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto plan = plan_service_restart("Spooler", c.facts);
    REQUIRE_FALSE(plan);
    CHECK(plan.error().code == ErrorCode::kDenied);
    CHECK_THAT(plan.error().message, Catch::Contains("leaves Spooler alone"));
    CHECK_THAT(plan.error().message, Catch::Contains(c.expect));
  }
}

TEST_CASE("kill-process-windows never ends a critical process, svchost or the agent") {
  const std::string name = GENERATE("csrss.exe", "CSRSS.EXE", "wininit.exe", "winlogon.exe",
                                    "lsass.exe", "smss.exe", "services.exe", "svchost.exe",
                                    "LogonUI.exe", "triage-agent.exe", "System", "Registry");
  INFO(name);
  auto r = check_killable_windows_image(name);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kDenied);
  CHECK_THAT(r.error().message, Catch::Contains("refuses to end " + name));
}

TEST_CASE("kill-process-windows takes .exe file names and compares them without case") {
  CHECK(check_killable_windows_image("chrome.exe"));
  CHECK(check_killable_windows_image("EXCEL.EXE"));
  CHECK(check_killable_windows_image("Teams (work).exe"));
  CHECK_FALSE(check_killable_windows_image("notepad"));
  CHECK_FALSE(check_killable_windows_image("C:\\Windows\\notepad.exe"));
  CHECK_FALSE(check_killable_windows_image(".exe"));
  CHECK(
      same_image_name("C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "Chrome.EXE"));
  CHECK(same_image_name("notepad.exe", "notepad.exe"));
  CHECK_FALSE(same_image_name("C:\\Windows\\notepad.exe", "note.exe"));
  CHECK_FALSE(same_image_name("C:\\tools\\notepad.exe.evil.exe", "notepad.exe"));
  CHECK_FALSE(same_image_name("C:\\Windows\\notepad.exe", ""));
  CHECK(image_file_name("C:/x/y/z.exe") == "z.exe");
}

TEST_CASE("clear-windows-print-queue deletes the jobs' plain .SHD and .SPL files only") {
  CHECK(is_spool_job_file({"00012.SHD"}));
  CHECK(is_spool_job_file({"00012.SPL"}));
  CHECK(is_spool_job_file({"FP00013.spl"}));
  CHECK(is_spool_job_file({"x.Shd"}));
  CHECK_FALSE(is_spool_job_file({"00012.SPL", true, false}));  // a folder
  CHECK_FALSE(is_spool_job_file({"00012.SPL", false, true}));  // a link or junction
  CHECK_FALSE(is_spool_job_file({"00012.TMP"}));
  CHECK_FALSE(is_spool_job_file({"desktop.ini"}));
  CHECK_FALSE(is_spool_job_file({".SPL"}));
  CHECK_FALSE(is_spool_job_file({"SPL"}));
  CHECK_FALSE(is_spool_job_file({"..\\x.SPL"}));
  CHECK_FALSE(is_spool_job_file({"x.SPL:stream"}));
  CHECK_FALSE(is_spool_job_file({"x.SPL.lnk"}));
}
