// Source: WinHost::events on the System and Application logs, levels 1 (critical) and 2
// (error), newest first. Reading stops at kMaxEventsPerLog records per log, so a log flooded
// by a retry loop costs a bounded time: the counts are then lower bounds.
#include "agent/collectors/windows_sources/windows_event_log.hpp"

#include <algorithm>
#include <map>

#include "agent/collectors/redact.hpp"
#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::int64_t kWindowMs = 24LL * 3600 * 1000;
constexpr std::uint32_t kErrorLevel = 2;
constexpr std::size_t kRecordsPerBudgetCheck = 64;
// Sources kept in the snapshot, busiest first; the total counts them all.
constexpr std::size_t kMaxSources = 40;
constexpr std::size_t kMaxSourceName = 128;
constexpr std::string_view kLogs[] = {"System", "Application"};

struct SourceCount {
  std::uint32_t count = 0;
  const EventRecord* newest = nullptr;
};

}  // namespace

std::string event_summary(const EventRecord& record, std::size_t max_len) {
  std::string text = trim(record.message).empty() ? std::string() : record.message;
  if (text.empty()) {
    for (const auto& value : record.data) {
      if (trim(value).empty()) continue;
      if (!text.empty()) text += "; ";
      text += value;
      if (text.size() > 4 * max_len) break;
    }
  }
  // Messages span lines ("\r\n\r\n" before details, indented continuations): one line reads
  // better in a list. A line break and the blanks around it become one space; other runs of
  // spaces stay as the provider wrote them.
  std::string line;
  line.reserve(std::min(text.size(), 4 * max_len));
  bool after_break = false;
  for (char c : text) {
    if (line.size() >= 4 * max_len) break;
    if (c == '\r' || c == '\n' || c == '\t') {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      after_break = true;
      continue;
    }
    if (after_break) {
      if (c == ' ') continue;
      if (!line.empty()) line += ' ';
      after_break = false;
    }
    line += c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  auto redacted = redact_text(line);
  if (redacted.size() <= max_len) return clean_text(redacted, max_len);
  // Cut on a character boundary and say so.
  return clean_text(redacted, max_len - 3) + "...";
}

Result<void> collect_windows_event_log(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  auto* log = out.mutable_health()->mutable_event_log();
  log->set_window_hours(24);
  const std::int64_t since = ctx.host().now_unix_ms() - kWindowMs;

  std::vector<std::vector<EventRecord>> read;  // kept alive: counts point into them
  read.reserve(std::size(kLogs));
  std::map<std::pair<std::string, std::string>, SourceCount> counts;
  std::uint32_t total = 0;
  bool truncated = false;
  bool service_unavailable = false;  // the Event Log answered nothing (Wine's stub does)
  for (auto name : kLogs) {
    EventQuery query;
    query.log = std::string(name);
    query.max_level = kErrorLevel;
    query.since_unix_ms = since;
    query.max_records = kMaxEventsPerLog + 1;  // one more tells a full window from a cut one
    auto records = win->events(query);
    if (!records) {
      ctx.note(query.log + " log: " + records.error().message);
      service_unavailable = service_unavailable || records.error().code == ErrorCode::kUnavailable;
      continue;
    }
    log->set_available(true);
    read.push_back(std::move(*records));
    auto& events = read.back();
    std::size_t seen = 0;
    for (const auto& record : events) {
      // A budget check samples the heap: every record would cost more than the counting.
      if (seen % kRecordsPerBudgetCheck == 0 && !ctx.within_budget()) return ctx.over_budget();
      if (seen == kMaxEventsPerLog) {
        truncated = true;
        break;
      }
      ++seen;
      // Level 0 ("log always") passes the Event Log's level filter, but is no error.
      if (record.level == 0 || record.level > kErrorLevel || record.time_unix_ms < since) continue;
      auto provider = clean_text(record.provider, kMaxSourceName);
      if (provider.empty()) provider = "(unknown source)";
      auto& c = counts[{query.log, provider}];
      ++c.count;
      ++total;
      if (!c.newest || record.time_unix_ms > c.newest->time_unix_ms) c.newest = &record;
    }
  }
  if (!log->available()) {
    // No Event Log service is a source that is absent here, not a failure of this source.
    if (service_unavailable) {
      out.mutable_health()->clear_event_log();
      ctx.unavailable("the Event Log service answered nothing");
      return {};
    }
    return fail("neither the System nor the Application log could be read");
  }

  std::vector<std::pair<std::pair<std::string, std::string>, SourceCount>> sorted(counts.begin(),
                                                                                  counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
  for (const auto& [key, c] : sorted) {
    if (log->sources_size() >= static_cast<int>(kMaxSources)) break;
    auto* s = log->add_sources();
    s->set_log(key.first);
    s->set_source(key.second);
    s->set_count(c.count);
    s->set_last_unix_ms(c.newest->time_unix_ms);
    s->set_last_event_id(c.newest->event_id);
    s->set_last_message(event_summary(*c.newest));
  }
  log->set_total(total);
  log->set_truncated(truncated);
  return {};
}

}  // namespace triage::agent
