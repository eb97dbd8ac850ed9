#include "collector/storage/postgres/pg_report_partitions.hpp"

#include <chrono>
#include <cstdio>

namespace triage::collector {

std::int64_t PgReportPartitions::day_of(std::int64_t ms) {
  return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
}

std::string PgReportPartitions::table_name(std::int64_t day) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
  char name[48];
  std::snprintf(name, sizeof(name), "reports_history_p%04d%02u%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return name;
}

Result<void> PgReportPartitions::ensure(postgres::Connection& conn, std::int64_t first_day,
                                        std::int64_t last_day) {
  {
    std::lock_guard lock(mutex_);
    bool all_known = true;
    for (auto day = first_day; day <= last_day && all_known; ++day) {
      all_known = known_.contains(day);
    }
    if (all_known) return {};
  }
  // Another node may be creating the same day: one at a time, and after the lock the
  // catalog shows what the previous holder committed.
  if (auto r = conn.query("SELECT pg_advisory_xact_lock($1, $2)", kLockClass, kLockObject); !r) {
    return tl::unexpected(r.error());
  }
  auto days = existing(conn);
  if (!days) return tl::unexpected(days.error());
  const std::set<std::int64_t> present(days->begin(), days->end());
  for (auto day = first_day; day <= last_day; ++day) {
    if (present.contains(day)) continue;
    // DDL takes no parameters: the name and the bounds are numbers computed here.
    const std::string sql = "CREATE TABLE IF NOT EXISTS " + table_name(day) +
                            " PARTITION OF reports_history FOR VALUES FROM (" +
                            std::to_string(day * kDayMs) + ") TO (" +
                            std::to_string((day + 1) * kDayMs) + ")";
    if (auto r = conn.exec(sql); !r) return r;
  }
  std::lock_guard lock(mutex_);
  known_.insert(present.begin(), present.end());
  return {};
}

Result<std::vector<std::int64_t>> PgReportPartitions::existing(postgres::Connection& conn) {
  auto r = conn.query(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE i.inhparent = 'reports_history'::regclass ORDER BY c.relname");
  if (!r) return tl::unexpected(r.error());
  std::vector<std::int64_t> days;
  for (int i = 0; i < r->size(); ++i) {
    const auto name = r->text(i, 0);
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    if (std::sscanf(name.c_str(), "reports_history_p%4d%2u%2u", &y, &m, &d) != 3) continue;
    const std::chrono::sys_days date{std::chrono::year{y} / std::chrono::month{m} /
                                     std::chrono::day{d}};
    days.push_back(date.time_since_epoch().count());
  }
  return days;
}

void PgReportPartitions::forget(std::int64_t day) {
  std::lock_guard lock(mutex_);
  known_.erase(day);
}

}  // namespace triage::collector
