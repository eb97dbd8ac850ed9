// windows_crashes: application crashes from the Application log and the WER report folders on
// both recorded machines (Outlook crashing four times in three days; the print spooler three
// times in five minutes), and events and reports with parts missing.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_crashes.hpp"
#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/scripted_win_host.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using triage::fail;
using triage::Result;

namespace {

constexpr std::string_view kWer = "C:\\ProgramData\\Microsoft\\Windows\\WER\\";
constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::int64_t kDay = 24 * 3600 * 1000;

std::string path(std::string_view tail) { return std::string(kWer) + std::string(tail); }

EventRecord app_error(std::int64_t time, std::vector<std::string> data) {
  EventRecord r;
  r.log = "Application";
  r.provider = "Application Error";
  r.event_id = 1000;
  r.level = 2;
  r.time_unix_ms = time;
  r.data = std::move(data);
  return r;
}

EventRecord wer_event(std::int64_t time, std::string type, std::string program, std::string store) {
  EventRecord r;
  r.log = "Application";
  r.provider = "Windows Error Reporting";
  r.event_id = 1001;
  r.level = 4;
  r.time_unix_ms = time;
  r.data = {"", "0", std::move(type), "Not available", "0", std::move(program)};
  r.data.resize(16);
  r.data.push_back(std::move(store));
  return r;
}

/// "Key=Value" lines as UTF-16LE with a BOM, as WER writes Report.wer.
std::string utf16_report(std::string_view text) {
  std::string out = "\xFF\xFE";
  for (char c : text) {
    out += c;
    out += '\0';
  }
  return out;
}

std::uint64_t filetime(std::int64_t unix_ms) {
  return static_cast<std::uint64_t>(unix_ms + 11644473600000LL) * 10000;
}

}  // namespace

TEST_CASE("windows_crashes: Outlook crashed four times in three days",
          "[windows_crashes][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_crashes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& dumps = snap.health().crash_dumps();
  REQUIRE(dumps.size() == 4);
  for (const auto& d : dumps) {
    CHECK(d.kind() == v1::CrashDump::WER);
    CHECK(d.program() == "OUTLOOK.EXE");
  }
  const std::string folder =
      "AppCrash_OUTLOOK.EXE_9e2b4d6f8a0c1e3b5d7f9a1c3e5b7d9f0a2c4e6_7b3e1f0a_";
  // Newest: its report waits in the queue (the laptop was offline).
  CHECK(dumps[0].time_unix_ms() == 1796113904905);  // 2026-12-01T08:31:44.905Z
  CHECK(dumps[0].path() == path("ReportQueue\\" + folder + "f4a3d5e6"));
  CHECK(dumps[0].size_bytes() == 52470 + 12022 + 54316 + 22468);
  CHECK(dumps[1].time_unix_ms() == 1796054712377);  // 2026-11-30T16:05:12.377Z
  CHECK(dumps[1].path() == path("ReportArchive\\" + folder + "e3f2c4d5"));
  CHECK(dumps[1].size_bytes() == 52470);
  // No report event for this one: its folder's Report.wer names the program and the time.
  CHECK(dumps[2].time_unix_ms() == 1795945651082);  // 2026-11-29T09:47:31.082Z
  CHECK(dumps[2].path() == path("ReportArchive\\" + folder + "d2e1b3c4"));
  CHECK(dumps[2].size_bytes() == 52470);
  // Disk Cleanup removed this report; the event still names where it was.
  CHECK(dumps[3].time_unix_ms() == 1795875725611);  // 2026-11-28T14:22:05.611Z
  CHECK(dumps[3].path() == path("ReportArchive\\" + folder + "c1f0a2d3"));
  CHECK(dumps[3].size_bytes() == 0);

  // What the crash.recent rule counts: three or more in 7 days is a pattern ("repeated").
  std::size_t recent = 0;
  for (const auto& d : dumps) {
    if (snap.collected_at_unix_ms() - d.time_unix_ms() <= 7 * kDay && d.program() == "OUTLOOK.EXE")
      ++recent;
  }
  CHECK(recent >= 3);
}

TEST_CASE("windows_crashes: the print spooler crashed three times in its printer driver",
          "[windows_crashes][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_crashes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& dumps = snap.health().crash_dumps();
  REQUIRE(dumps.size() == 4);
  CHECK(dumps[0].program() == "spoolsv.exe");
  CHECK(dumps[0].time_unix_ms() == 1796115939804);  // 2026-12-01T09:05:39.804Z
  CHECK(dumps[0].path() ==
        path("ReportQueue\\AppCrash_spoolsv.exe_5c1e0f3a8b9d2e7f6a4c1b0d3e5f7a9c8b2d4e6_f3a2c1b0_"
             "9e40_9a61f2c8"));
  CHECK(dumps[0].size_bytes() == 14622 + 9846 + 61240 + 25932 + 187432960);
  CHECK(dumps[1].program() == "spoolsv.exe");
  CHECK(dumps[2].program() == "spoolsv.exe");
  CHECK(dumps[2].time_unix_ms() == 1796115670377);  // 2026-12-01T09:01:10.377Z
  CHECK(dumps[3].program() == "BackupAgent.exe");
  CHECK(dumps[3].kind() == v1::CrashDump::WER);
  CHECK(dumps[3].size_bytes() == 12904 + 9512);
  // The queued kernel report of the bugcheck is not an application crash.
  for (const auto& d : dumps) CHECK_THAT(d.path(), !Contains("Kernel_"));
}

TEST_CASE("windows_crashes: a report folder without events, in UTF-16",
          "[windows_crashes][hostile]") {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  const auto crash = testing::kScriptedNow - 2 * kDay;
  win->directories[path("ReportArchive")] = {
      {"AppCrash_notepad.exe_1a2b_3c4d_5e6f", true, 0, crash + kMinute},
      {"AppCrash_calc.exe_77_88", true, 0, crash - kMinute},  // no Report.wer
      {"AppCrash_hang.exe_99", true, 0, crash},               // a hang in a crash's clothes
      {"AppCrash_stale.exe_00", true, 0, testing::kScriptedNow - 9 * kDay},
      {"AppCrash_file.exe_00", false, 10, crash},  // a file, not a folder
      {"NonCritical_x_y", true, 0, crash},
      {"weird", true, 0, crash}};
  win->files[path("ReportArchive\\AppCrash_notepad.exe_1a2b_3c4d_5e6f\\Report.wer")] = utf16_report(
      "Version=1\r\nEventType=APPCRASH\r\nEventTime=" + std::to_string(filetime(crash)) +
      "\r\nSig[0].Name=Application Name\r\nSig[0].Value=notepad.exe\r\n"
      "AppName=Notepad\r\n");
  win->files[path("ReportArchive\\AppCrash_hang.exe_99\\Report.wer")] =
      "EventType=AppHangB1\r\nSig[0].Value=hang.exe\r\n";
  win->directories[path("ReportArchive\\AppCrash_notepad.exe_1a2b_3c4d_5e6f")] = {
      {"Report.wer", false, 3000, crash},
      {"memory.hdmp", false, 70000, crash},
      {"x", true, 5, crash}};
  auto snap = testing::scripted_collect("windows_crashes", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& dumps = snap.health().crash_dumps();
  REQUIRE(dumps.size() == 2);
  CHECK(dumps[0].program() == "notepad.exe");
  CHECK(dumps[0].time_unix_ms() == crash);
  CHECK(dumps[0].size_bytes() == 73000);
  CHECK(dumps[0].path() == path("ReportArchive\\AppCrash_notepad.exe_1a2b_3c4d_5e6f"));
  // Unreadable report: the folder's name and time stand in.
  CHECK(dumps[1].program() == "calc.exe");
  CHECK(dumps[1].time_unix_ms() == crash - kMinute);
}

TEST_CASE("windows_crashes: events with parts missing", "[windows_crashes][hostile]") {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  const auto t = testing::kScriptedNow - kDay;
  win->on_events = [t](const EventQuery& q) -> Result<std::vector<EventRecord>> {
    CHECK(q.log == "Application");
    CHECK(q.since_unix_ms == testing::kScriptedNow - 7 * kDay);
    std::vector<EventRecord> out = {
        app_error(t, {}),                                               // no data at all
        app_error(t + 10 * kMinute, {"  app.exe "}),                    // padded, nothing else
        wer_event(t + 10 * kMinute + 2000, "APPCRASH", "app.exe", ""),  // no folder
        wer_event(t + 20 * kMinute, "AppHangB1", "app.exe", "\\\\?\\C:\\x"),
        wer_event(t + 30 * kMinute, "BEX64", "other.exe",
                  "\\\\?\\C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive\\BEX64_other"),
        wer_event(t + 40 * kMinute, "APPCRASH", "", ""),
    };
    EventRecord short_wer = wer_event(t + 50 * kMinute, "APPCRASH", "x", "");
    short_wer.data.resize(3);
    out.push_back(short_wer);
    EventRecord foreign = app_error(t, {"spoofed.exe"});
    foreign.provider = "Some Other Provider";
    out.push_back(foreign);
    return out;
  };
  auto snap = testing::scripted_collect("windows_crashes", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& dumps = snap.health().crash_dumps();
  REQUIRE(dumps.size() == 5);
  // Newest first. Report events without a program: two crashes, ten minutes apart.
  CHECK(dumps[0].program() == "unknown program");
  CHECK(dumps[0].time_unix_ms() == t + 50 * kMinute);
  CHECK(dumps[1].program() == "unknown program");
  CHECK_THAT(dumps[1].path(), StartsWith("event:"));
  CHECK(dumps[1].time_unix_ms() == t + 40 * kMinute);
  CHECK(dumps[2].program() == "other.exe");
  CHECK(dumps[2].path() == path("ReportArchive\\BEX64_other"));
  // The Application Error event and its report event two seconds later are one crash.
  CHECK(dumps[3].program() == "app.exe");
  CHECK(dumps[3].path() == "event:2026-11-30T12:10:00.000Z");
  CHECK(dumps[4].program() == "unknown program");
  CHECK(dumps[4].path() == "event:2026-11-30T12:00:00.000Z");
}

TEST_CASE("windows_crashes: thousands of crash events are capped", "[windows_crashes][hostile]") {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->on_events = [](const EventQuery& q) -> Result<std::vector<EventRecord>> {
    std::vector<EventRecord> out;
    for (int i = 0; i < 5000; ++i) {
      out.push_back(app_error(testing::kScriptedNow - i * kMinute, {"loop.exe"}));
    }
    CHECK(q.max_records == kMaxCrashEvents);
    return out;
  };
  auto snap = testing::scripted_collect("windows_crashes", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.health().crash_dumps_size() == 50);
}
