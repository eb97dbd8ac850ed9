// windows_event_log: errors per source in the System and Application logs on both recorded
// machines, and logs no real machine should have (100,000 records, records without data).
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_event_log.hpp"
#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/scripted_win_host.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using triage::fail;
using triage::Result;

namespace {

const v1::EventSourceErrors* source(const v1::EventLogErrors& log, std::string_view name,
                                    std::string_view source_name) {
  for (const auto& s : log.sources()) {
    if (s.log() == name && s.source() == source_name) return &s;
  }
  return nullptr;
}

EventRecord record(std::string provider, std::uint32_t level, std::int64_t time,
                   std::string message = "failed") {
  EventRecord r;
  r.provider = std::move(provider);
  r.event_id = 1;
  r.level = level;
  r.time_unix_ms = time;
  r.message = std::move(message);
  return r;
}

constexpr std::int64_t kHour = 3600 * 1000;

}  // namespace

TEST_CASE("windows_event_log: a server whose print spooler keeps dying",
          "[windows_event_log][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_event_log");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& log = snap.health().event_log();
  CHECK(log.available());
  CHECK(log.window_hours() == 24);
  CHECK(log.total() == 43);
  CHECK_FALSE(log.truncated());
  REQUIRE(log.sources_size() == 7);
  // Busiest first.
  CHECK(log.sources(0).source() == "Microsoft-Windows-DistributedCOM");
  CHECK(log.sources(1).source() == "Schannel");

  const auto* dcom = source(log, "System", "Microsoft-Windows-DistributedCOM");
  REQUIRE(dcom);
  CHECK(dcom->count() == 24);
  CHECK(dcom->last_event_id() == 10016);
  CHECK(dcom->last_unix_ms() == 1796121483151);  // 2026-12-01T10:38:03.151Z
  CHECK_THAT(dcom->last_message(),
             StartsWith("The application-specific permission settings do not grant Local "
                        "Activation permission for the COM Server application with CLSID "
                        "{2593F8B9-4EAF-457C-B68A-50F6B8EA6B54} and APPID"));
  CHECK(dcom->last_message().size() <= 240);
  CHECK_THAT(dcom->last_message(), EndsWith("..."));

  const auto* scm = source(log, "System", "Service Control Manager");
  REQUIRE(scm);
  CHECK(scm->count() == 3);  // 7031 twice and 7034; the 7036 state changes are information
  CHECK(scm->last_event_id() == 7034);
  CHECK(scm->last_unix_ms() == 1796115941512);  // 2026-12-01T09:05:41.512Z
  CHECK(scm->last_message() ==
        "The Print Spooler service terminated unexpectedly.  It has done this 3 time(s).");

  CHECK(source(log, "System", "Schannel")->count() == 9);
  CHECK(source(log, "System", "NETLOGON")->last_event_id() == 5719);
  // The warning that D: is full is below the error level; the bugcheck is three days old.
  CHECK_FALSE(source(log, "System", "srv"));
  CHECK_FALSE(source(log, "System", "Microsoft-Windows-Kernel-Power"));
  CHECK_FALSE(source(log, "System", "EventLog"));

  const auto* crashes = source(log, "Application", "Application Error");
  REQUIRE(crashes);
  CHECK(crashes->count() == 4);
  CHECK(crashes->last_event_id() == 1000);
  CHECK_THAT(crashes->last_message(),
             StartsWith("Faulting application name: spoolsv.exe, version: 10.0.20348.2849, "
                        "time stamp: 0xf3c2a19e Faulting module name: hpcpp260.dll"));
  CHECK_FALSE(source(log, "Application", "Windows Error Reporting"));  // information
  CHECK(source(log, "Application", ".NET Runtime")->count() == 1);

  // A password in a URL never leaves the machine.
  const auto* backup = source(log, "Application", "BackupAgent");
  REQUIRE(backup);
  CHECK_THAT(backup->last_message(), !Contains("Winter2026"));
  CHECK_THAT(backup->last_message(), Contains("nas01.corp.example.com"));
  CHECK_THAT(backup->last_message(), Contains("not enough space on the disk"));
}

TEST_CASE("windows_event_log: a laptop with DCOM noise and a Wi-Fi driver without messages",
          "[windows_event_log][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_event_log");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& log = snap.health().event_log();
  CHECK(log.total() == 23);
  CHECK(log.sources_size() == 7);
  CHECK(source(log, "System", "Microsoft-Windows-DistributedCOM")->count() == 14);
  const auto* scm = source(log, "System", "Service Control Manager");
  REQUIRE(scm);
  CHECK(scm->count() == 2);
  CHECK(scm->last_event_id() == 7000);
  CHECK(scm->last_message() ==
        "The Lenovo Vantage Service service failed to start due to the following error: The "
        "service did not respond to the start or control request in a timely fashion.");
  // The driver's message file is missing: its data says what there is to say.
  const auto* wifi = source(log, "System", "Netwtw14");
  REQUIRE(wifi);
  CHECK(wifi->count() == 2);
  CHECK(wifi->last_event_id() == 5002);
  CHECK(wifi->last_message() == "\\Device\\NDMP3; Intel(R) Wi-Fi 6E AX211 160MHz");
  CHECK(source(log, "System", "Microsoft-Windows-WindowsUpdateClient")->last_event_id() == 20);
  // The power loss five days ago is outside the window.
  CHECK_FALSE(source(log, "System", "Microsoft-Windows-Kernel-Power"));

  const auto* outlook = source(log, "Application", "Application Error");
  REQUIRE(outlook);
  CHECK(outlook->count() == 2);  // of four in three days, two in the last 24 hours
  CHECK_THAT(outlook->last_message(), StartsWith("Faulting application name: OUTLOOK.EXE"));
  CHECK(source(log, "Application", "Application Hang")->count() == 1);
  CHECK(source(log, "Application", "ESENT")->last_event_id() == 455);
}

TEST_CASE("windows_event_log: a log of 100,000 errors is read only up to the cap",
          "[windows_event_log][hostile]") {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->on_events = [](const EventQuery& q) -> Result<std::vector<EventRecord>> {
    std::vector<EventRecord> out;
    std::size_t in_log = q.log == "System" ? 100000 : 3;
    for (std::size_t i = 0; i < in_log && i < q.max_records; ++i) {
      out.push_back(record(i % 2 ? "Disk" : "Ntfs", 2,
                           testing::kScriptedNow - static_cast<std::int64_t>(i) * 100));
    }
    return out;
  };
  auto snap = testing::scripted_collect("windows_event_log", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& log = snap.health().event_log();
  CHECK(log.truncated());
  CHECK(log.total() == kMaxEventsPerLog + 3);
  CHECK(source(log, "System", "Disk")->count() == kMaxEventsPerLog / 2);
  REQUIRE(win->queries.size() == 2);
  CHECK(win->queries[0].max_records == kMaxEventsPerLog + 1);
  CHECK(win->queries[0].max_level == 2);
  CHECK(win->queries[0].since_unix_ms == testing::kScriptedNow - 24 * kHour);
}

TEST_CASE("windows_event_log: a host that ignores max_records", "[windows_event_log][hostile]") {
  std::vector<EventRecord> flood(10000, record("Disk", 2, testing::kScriptedNow - kHour));
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->on_events = [&](const EventQuery& q) -> Result<std::vector<EventRecord>> {
    if (q.log == "System") return flood;
    return fail("Application: access denied");
  };
  auto snap = testing::scripted_collect("windows_event_log", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.health().event_log().truncated());
  CHECK(snap.health().event_log().total() == kMaxEventsPerLog);
  CHECK_THAT(snap.collectors(0).message(), Contains("Application log: Application: access denied"));
}

TEST_CASE("windows_event_log: records without provider, data or a plausible level",
          "[windows_event_log][hostile]") {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->on_events = [](const EventQuery& q) -> Result<std::vector<EventRecord>> {
    if (q.log != "System") return std::vector<EventRecord>{};
    return std::vector<EventRecord>{
        record("", 1, testing::kScriptedNow - kHour, ""),      // nothing but a level
        record("Chatty", 0, testing::kScriptedNow - kHour),    // "log always"
        record("Chatty", 4, testing::kScriptedNow - kHour),    // information
        record("Old", 2, testing::kScriptedNow - 30 * kHour),  // outside the window
        record(std::string(5000, 'p'), 2, testing::kScriptedNow, std::string(100000, 'm')),
    };
  };
  auto snap = testing::scripted_collect("windows_event_log", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& log = snap.health().event_log();
  CHECK(log.total() == 2);
  const auto* unknown = source(log, "System", "(unknown source)");
  REQUIRE(unknown);
  CHECK(unknown->last_message().empty());
  CHECK_FALSE(source(log, "System", "Chatty"));
  CHECK_FALSE(source(log, "System", "Old"));
  const auto* huge = source(log, "System", std::string(128, 'p'));
  REQUIRE(huge);
  CHECK(huge->last_message().size() == 240);
}

TEST_CASE("windows_event_log: hundreds of sources keep the busiest",
          "[windows_event_log][hostile]") {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->on_events = [](const EventQuery& q) -> Result<std::vector<EventRecord>> {
    std::vector<EventRecord> out;
    if (q.log != "Application") return out;
    for (int i = 0; i < 500; ++i)
      out.push_back(record("App" + std::to_string(i), 2, testing::kScriptedNow));
    for (int i = 0; i < 9; ++i) out.push_back(record("Busy", 2, testing::kScriptedNow - i));
    return out;
  };
  auto snap = testing::scripted_collect("windows_event_log", win);
  const auto& log = snap.health().event_log();
  CHECK(log.sources_size() == 40);
  CHECK(log.sources(0).source() == "Busy");
  CHECK(log.sources(0).count() == 9);
  CHECK(log.total() == 509);
}

TEST_CASE("windows_event_log: neither log readable", "[windows_event_log][hostile]") {
  auto snap =
      testing::scripted_collect("windows_event_log", std::make_shared<testing::ScriptedWinHost>());
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  CHECK_THAT(snap.collectors(0).message(), Contains("neither the System nor the Application"));
}

TEST_CASE("windows_event_log: no Event Log service is an absent source",
          "[windows_event_log][hostile]") {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->on_events = [](const EventQuery&) -> triage::Result<std::vector<EventRecord>> {
    return triage::fail(triage::ErrorCode::kUnavailable, "the Event Log service answered nothing");
  };
  auto snap = testing::scripted_collect("windows_event_log", win);
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
  CHECK_FALSE(snap.health().has_event_log());
  auto bugchecks = testing::scripted_collect("windows_bugchecks", win);
  CHECK(bugchecks.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
}

TEST_CASE("event_summary: one redacted line", "[windows_event_log]") {
  EventRecord r;
  r.message = "Logon failed.\r\n\r\nAccount: svc\r\n\tpassword=hunter2 token: x\r\n";
  auto line = event_summary(r);
  CHECK_THAT(line, StartsWith("Logon failed. Account: svc "));
  CHECK_THAT(line, !Contains("hunter2"));
  CHECK_THAT(line, !Contains("\n"));
  r.message = "   ";
  r.data = {"", " ", "first", "second"};
  CHECK(event_summary(r) == "first; second");
  r.message = std::string(300, 'x') + "\xC3\xA9";
  CHECK(event_summary(r, 20) == std::string(17, 'x') + "...");
}
