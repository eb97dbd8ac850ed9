// Sources:
// - System log, "Microsoft-Windows-WER-SystemErrorReporting" 1001, written at the boot after
//   the crash: data[0] "0x0000009f (0x…03, 0x…, 0x…, 0x…)", data[1] the dump it saved;
// - System log, "Microsoft-Windows-Kernel-Power" 41 (the system rebooted without shutting down
//   cleanly): data[0] BugcheckCode in decimal (0: power lost or a hard reset, no bugcheck),
//   data[1..4] the parameters;
// - C:\Windows\Minidump\*.dmp and C:\Windows\MEMORY.DMP, the dumps themselves.
// Both events of one crash are merged (same code, minutes apart); the WER one says more.
#include "agent/collectors/windows_sources/windows_bugchecks.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::int64_t kWindowMs = 30LL * 24 * 3600 * 1000;
// Kernel-Power 41 is logged early in the boot after the crash, the WER event once the dump is
// saved: minutes apart on a slow server.
constexpr std::int64_t kSameCrashMs = 15LL * 60 * 1000;
constexpr std::size_t kMaxEvents = 100;
constexpr std::size_t kMaxBugchecks = 20;
constexpr std::size_t kMaxDumps = 20;
constexpr std::size_t kMaxText = 200;
constexpr std::string_view kWerProvider = "Microsoft-Windows-WER-SystemErrorReporting";
constexpr std::string_view kKernelPower = "Microsoft-Windows-Kernel-Power";
constexpr std::string_view kMinidumpDir = "C:\\Windows\\Minidump";
constexpr std::string_view kWindowsDir = "C:\\Windows";

std::string datum(const EventRecord& r, std::size_t i) {
  return i < r.data.size() ? std::string(trim(r.data[i])) : std::string();
}

std::string code_text(std::uint64_t code) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx64, code);
  return buf;
}

/// "0x0000009f (0x3, 0x…)" → code "0x0000009f", parameters "0x3, 0x…".
v1::Bugcheck from_wer(const EventRecord& r) {
  v1::Bugcheck b;
  b.set_time_unix_ms(r.time_unix_ms);
  std::string text = datum(r, 0);
  auto open = text.find('(');
  std::string code(trim(std::string_view(text).substr(0, open)));
  if (code.rfind("0x", 0) == 0 || code.rfind("0X", 0) == 0) code.erase(0, 2);
  // Not a number: not a bugcheck this source understands (the caller skips an empty code).
  if (auto value = to_uint(code, 16)) b.set_code(code_text(*value));
  if (open != std::string::npos) {
    auto close = text.find(')', open);
    b.set_parameters(
        clean_text(trim(std::string_view(text).substr(
                       open + 1, close == std::string::npos ? close : close - open - 1)),
                   kMaxText));
  }
  b.set_dump_path(clean_text(datum(r, 1), kMaxText));
  return b;
}

/// nullopt for a reset without a bugcheck (code 0) or a record without its data.
std::optional<v1::Bugcheck> from_kernel_power(const EventRecord& r) {
  auto code = to_uint(datum(r, 0));
  if (!code || *code == 0) return std::nullopt;
  v1::Bugcheck b;
  b.set_time_unix_ms(r.time_unix_ms);
  b.set_code(code_text(*code));
  std::string parameters;
  for (std::size_t i = 1; i <= 4 && i < r.data.size(); ++i) {
    if (!parameters.empty()) parameters += ", ";
    parameters += datum(r, i);
  }
  b.set_parameters(clean_text(parameters, kMaxText));
  return b;
}

void add_dump(std::vector<v1::CrashDump>& dumps, std::string path, const WinFileEntry& e) {
  v1::CrashDump d;
  d.set_kind(v1::CrashDump::MINIDUMP);
  d.set_path(clean_text(path, kMaxText));
  d.set_program("kernel");
  d.set_time_unix_ms(e.modified_unix_ms);
  d.set_size_bytes(e.size_bytes);
  dumps.push_back(std::move(d));
}

}  // namespace

Result<void> collect_windows_bugchecks(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  const std::int64_t since = ctx.host().now_unix_ms() - kWindowMs;

  EventQuery query;
  query.log = "System";
  query.providers = {std::string(kWerProvider), std::string(kKernelPower)};
  query.event_ids = {1001, 41};
  query.since_unix_ms = since;
  query.max_records = kMaxEvents;
  std::vector<v1::Bugcheck> bugchecks;
  auto records = win->events(query);
  if (records) {
    std::vector<const EventRecord*> ordered;
    for (const auto& r : *records) {
      if (ordered.size() == kMaxEvents) break;
      ordered.push_back(&r);
    }
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](auto* a, auto* b) { return a->time_unix_ms < b->time_unix_ms; });
    for (const auto* r : ordered) {
      if (!ctx.within_budget()) return ctx.over_budget();
      if (r->time_unix_ms < since) continue;
      std::optional<v1::Bugcheck> found;
      bool wer = r->provider == kWerProvider && r->event_id == 1001;
      if (wer) {
        found = from_wer(*r);
      } else if (r->provider == kKernelPower && r->event_id == 41) {
        found = from_kernel_power(*r);
      }
      if (!found || found->code().empty()) continue;
      auto same = std::find_if(bugchecks.begin(), bugchecks.end(), [&](const auto& b) {
        return b.code() == found->code() &&
               std::abs(b.time_unix_ms() - found->time_unix_ms()) <= kSameCrashMs;
      });
      if (same == bugchecks.end()) {
        bugchecks.push_back(std::move(*found));
      } else if (wer) {
        // The earlier event's time stays the key; the report's details win.
        if (!found->parameters().empty()) same->set_parameters(found->parameters());
        same->set_dump_path(found->dump_path());
      }
    }
  } else {
    ctx.note("System log: " + records.error().message);
  }
  std::sort(bugchecks.begin(), bugchecks.end(),
            [](const auto& a, const auto& b) { return a.time_unix_ms() > b.time_unix_ms(); });
  if (bugchecks.size() > kMaxBugchecks) bugchecks.resize(kMaxBugchecks);
  for (auto& b : bugchecks) *out.mutable_health()->add_bugchecks() = std::move(b);

  std::vector<v1::CrashDump> dumps;
  if (auto entries = win->list_directory(kMinidumpDir)) {
    for (const auto& e : *entries) {
      if (!ctx.within_budget()) return ctx.over_budget();
      if (e.directory || e.modified_unix_ms < since || !to_lower(e.name).ends_with(".dmp"))
        continue;
      add_dump(dumps, std::string(kMinidumpDir) + "\\" + e.name, e);
    }
  }
  if (auto entries = win->list_directory(kWindowsDir)) {
    for (const auto& e : *entries) {
      if (!ctx.within_budget()) return ctx.over_budget();
      if (!e.directory && to_lower(e.name) == "memory.dmp" && e.modified_unix_ms >= since)
        add_dump(dumps, std::string(kWindowsDir) + "\\" + e.name, e);
    }
  }
  std::sort(dumps.begin(), dumps.end(), [](const auto& a, const auto& b) {
    return a.time_unix_ms() > b.time_unix_ms() ||
           (a.time_unix_ms() == b.time_unix_ms() && a.path() < b.path());
  });
  if (dumps.size() > kMaxDumps) dumps.resize(kMaxDumps);
  for (auto& d : dumps) *out.mutable_health()->add_crash_dumps() = std::move(d);
  if (!records && bugchecks.empty() && dumps.empty()) {
    if (records.error().code == ErrorCode::kUnavailable) {
      // No Event Log service (Wine's stub): nothing to read, not a failure of this source.
      ctx.unavailable("System log: " + records.error().message);
      return {};
    }
    return fail("reading the System log", records.error());
  }
  return {};
}

}  // namespace triage::agent
