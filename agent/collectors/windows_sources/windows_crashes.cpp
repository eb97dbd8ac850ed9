// Sources, newest first:
// - Application log, "Application Error" 1000: data[0] the faulting application ("OUTLOOK.EXE"),
//   data[6] the exception code, data[10] its path;
// - Application log, "Windows Error Reporting" 1001 of a crash event type (APPCRASH, BEX,
//   BEX64...): data[2] the event type, data[5] the application (P1), data[16] the report
//   folder ("\\?\C:\ProgramData\Microsoft\Windows\WER\ReportArchive\AppCrash_…");
// - the folders of C:\ProgramData\Microsoft\Windows\WER\ReportArchive (reports sent) and
//   ReportQueue (waiting to be sent): Report.wer says EventType, EventTime (a FILETIME) and
//   Sig[0].Value, the application.
// One crash usually leaves all three, a minute apart at most: they are merged by application
// and time, and the report folder, when there is one, is the crash's stable path.
#include "agent/collectors/windows_sources/windows_crashes.hpp"

#include <algorithm>
#include <array>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "shared/util/time_format.hpp"

namespace triage::agent {
namespace {

constexpr std::int64_t kWindowMs = 7LL * 24 * 3600 * 1000;
// The events and the report of one crash are written within seconds; a minute apart is
// already a different crash of a program restarted by the user.
constexpr std::int64_t kSameCrashMs = 2LL * 60 * 1000;
constexpr std::size_t kMaxCrashes = 50;
constexpr std::size_t kMaxReportBytes = 64 * 1024;
constexpr std::size_t kMaxProgram = 128;
constexpr std::size_t kMaxPath = 400;
constexpr std::string_view kReportDirs[] = {
    "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive",
    "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportQueue"};
// WER event types and folder prefixes of a process that crashed (not a hang, not a failed
// update): an access violation, a buffer overrun (BEX), and their Store-app variants.
constexpr std::array<std::string_view, 5> kCrashTypes = {"appcrash", "bex", "bex64", "moappcrash",
                                                         "mobex"};

bool is_crash_type(std::string_view type) {
  auto t = to_lower(trim(type));
  return std::find(kCrashTypes.begin(), kCrashTypes.end(), t) != kCrashTypes.end();
}

std::string datum(const EventRecord& r, std::size_t i) {
  return i < r.data.size() ? std::string(trim(r.data[i])) : std::string();
}

std::string event_key(std::int64_t time_unix_ms) {
  return "event:" + format_rfc3339(std::chrono::system_clock::time_point(
                        std::chrono::milliseconds(time_unix_ms)));
}

bool is_event_key(const v1::CrashDump& d) { return d.path().rfind("event:", 0) == 0; }

/// "\\?\C:\ProgramData\…" → "C:\ProgramData\…".
std::string plain_path(std::string_view path) {
  path = trim(path);
  if (path.rfind("\\\\?\\", 0) == 0) path.remove_prefix(4);
  return clean_text(path, kMaxPath);
}

class Crashes {
 public:
  explicit Crashes(std::int64_t since) : since_(since) {}

  /// The crash of `program` near `time` already known, if any.
  v1::CrashDump* find(std::string_view program, std::int64_t time) {
    for (auto& d : crashes_) {
      if (to_lower(d.program()) == to_lower(program) &&
          std::abs(d.time_unix_ms() - time) <= kSameCrashMs) {
        return &d;
      }
    }
    return nullptr;
  }

  v1::CrashDump* find_path(std::string_view path) {
    for (auto& d : crashes_) {
      if (to_lower(d.path()) == to_lower(path)) return &d;
    }
    return nullptr;
  }

  /// Records a crash, or gives a known one the report folder it lacked.
  void add(std::string program, std::int64_t time, std::string path, std::uint64_t size = 0) {
    if (time < since_) return;
    program = clean_text(program, kMaxProgram);
    if (program.empty()) program = "unknown program";
    if (auto* known = find(program, time)) {
      if (!path.empty() && is_event_key(*known) && !find_path(path)) known->set_path(path);
      known->set_size_bytes(std::max<std::uint64_t>(known->size_bytes(), size));
      return;
    }
    v1::CrashDump d;
    d.set_kind(v1::CrashDump::WER);
    d.set_program(std::move(program));
    d.set_time_unix_ms(time);
    d.set_path(path.empty() || find_path(path) ? event_key(time) : std::move(path));
    d.set_size_bytes(size);
    crashes_.push_back(std::move(d));
  }

  std::vector<v1::CrashDump>& all() { return crashes_; }

 private:
  std::int64_t since_;
  std::vector<v1::CrashDump> crashes_;
};

struct WerReport {
  std::string type;
  std::string program;
  std::int64_t time_unix_ms = 0;
};

/// Report.wer: "Key=Value" lines, UTF-16 with a BOM on disk.
WerReport parse_report(std::string_view text) {
  WerReport r;
  for (auto line : split_lines(text)) {
    auto kv = key_value(line, '=');
    if (!kv) continue;
    if (kv->first == "EventType") {
      r.type = std::string(trim(kv->second));
    } else if (kv->first == "EventTime") {
      if (auto ft = to_uint(trim(kv->second))) r.time_unix_ms = filetime_to_unix_ms(*ft);
    } else if (kv->first == "Sig[0].Value") {
      r.program = std::string(trim(kv->second));
    }
  }
  return r;
}

Result<void> read_events(WinHost& win, CollectContext& ctx, Crashes& crashes, std::int64_t since) {
  EventQuery query;
  query.log = "Application";
  query.providers = {"Application Error", "Windows Error Reporting"};
  query.event_ids = {1000, 1001};
  query.since_unix_ms = since;
  query.max_records = kMaxCrashEvents;
  auto records = win.events(query);
  if (!records) {
    ctx.note("Application log: " + records.error().message);
    return {};
  }
  // Oldest first, so a crash's Application Error event (written first) is known before the
  // report event that names its folder.
  std::vector<const EventRecord*> ordered;
  for (const auto& r : *records) {
    if (ordered.size() == kMaxCrashEvents) break;
    ordered.push_back(&r);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](auto* a, auto* b) { return a->time_unix_ms < b->time_unix_ms; });
  for (const auto* r : ordered) {
    if (!ctx.within_budget()) return ctx.over_budget();
    if (r->event_id == 1000 && r->provider == "Application Error") {
      crashes.add(datum(*r, 0), r->time_unix_ms, "");
    } else if (r->event_id == 1001 && r->provider == "Windows Error Reporting" &&
               is_crash_type(datum(*r, 2))) {
      crashes.add(datum(*r, 5), r->time_unix_ms, plain_path(datum(*r, 16)));
    }
  }
  return {};
}

Result<void> read_report_folders(WinHost& win, CollectContext& ctx, Crashes& crashes,
                                 std::int64_t since) {
  std::size_t folders = 0;
  for (auto dir : kReportDirs) {
    auto entries = win.list_directory(dir);
    if (!entries) continue;  // absent until the first report; unreadable without admin
    for (const auto& e : *entries) {
      if (!ctx.within_budget()) return ctx.over_budget();
      auto underscore = e.name.find('_');
      if (!e.directory || underscore == std::string::npos ||
          !is_crash_type(e.name.substr(0, underscore)) ||
          (e.modified_unix_ms > 0 && e.modified_unix_ms < since)) {
        continue;
      }
      if (++folders > kMaxReportFolders) {
        ctx.note("more WER report folders than " + std::to_string(kMaxReportFolders));
        return {};
      }
      std::string path = clean_text(std::string(dir) + "\\" + e.name, kMaxPath);
      std::uint64_t size = 0;
      if (auto files = win.list_directory(path)) {
        for (const auto& f : *files) size += f.directory ? 0 : f.size_bytes;
      }
      if (auto* known = crashes.find_path(path)) {
        known->set_size_bytes(size);
        continue;
      }
      WerReport report;
      if (auto text = win.read_file(path + "\\Report.wer", kMaxReportBytes)) {
        report = parse_report(decode_text_file(*text));
      }
      if (!report.type.empty() && !is_crash_type(report.type)) continue;
      if (report.program.empty()) {
        // "AppCrash_OUTLOOK.EXE_8a3c…_…": the application is the second part.
        auto rest = e.name.substr(underscore + 1);
        report.program = rest.substr(0, rest.find('_'));
      }
      crashes.add(report.program,
                  report.time_unix_ms > 0 ? report.time_unix_ms : e.modified_unix_ms, path, size);
    }
  }
  return {};
}

}  // namespace

Result<void> collect_windows_crashes(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  const std::int64_t since = ctx.host().now_unix_ms() - kWindowMs;
  Crashes crashes(since);
  if (auto r = read_events(*win, ctx, crashes, since); !r) return r;
  if (auto r = read_report_folders(*win, ctx, crashes, since); !r) return r;
  auto& all = crashes.all();
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.time_unix_ms() > b.time_unix_ms() ||
           (a.time_unix_ms() == b.time_unix_ms() && a.path() < b.path());
  });
  if (all.size() > kMaxCrashes) all.resize(kMaxCrashes);
  for (auto& d : all) *out.mutable_health()->add_crash_dumps() = std::move(d);
  return {};
}

}  // namespace triage::agent
