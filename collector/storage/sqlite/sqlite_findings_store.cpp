// SqliteStore: each device's current findings and their fleet-wide aggregation.
#include <map>

#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::to_ms;

Result<void> SqliteStore::replace_device_findings(std::string_view device_id,
                                                  const std::vector<DeviceFinding>& current,
                                                  TimePoint now) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    // Mark, upsert (keeping first_seen), then sweep what was not seen now.
    auto upsert = db_->prepare(
        "INSERT INTO device_findings(device_id, rule_id, subject, severity, title, evidence, "
        "first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?) "
        "ON CONFLICT(device_id, rule_id, subject) DO UPDATE SET severity = excluded.severity, "
        "title = excluded.title, evidence = excluded.evidence, last_seen = excluded.last_seen");
    if (!upsert) return tl::unexpected(upsert.error());
    for (const auto& f : current) {
      upsert->reset();
      upsert->bind(1, device_id)
          .bind(2, f.rule_id)
          .bind(3, f.subject)
          .bind(4, f.severity)
          .bind(5, f.title)
          .bind(6, f.evidence)
          .bind(7, to_ms(now))
          .bind(8, to_ms(now));
      if (auto r = upsert->run(); !r) return r;
    }
    auto sweep = db_->prepare("DELETE FROM device_findings WHERE device_id = ? AND last_seen < ?");
    if (!sweep) return tl::unexpected(sweep.error());
    sweep->bind(1, device_id).bind(2, to_ms(now));
    return sweep->run();
  });
}

Result<std::vector<DeviceFinding>> SqliteStore::device_findings(std::string_view device_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT device_id, rule_id, subject, severity, title, evidence, first_seen, last_seen "
      "FROM device_findings WHERE device_id = ? ORDER BY rule_id, subject");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, device_id);
  std::vector<DeviceFinding> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(DeviceFinding{st->column_text(0), st->column_text(1), st->column_text(2),
                                st->column_text(3), st->column_text(4), st->column_text(5),
                                from_ms(st->column_int(6)), from_ms(st->column_int(7))});
  }
  return out;
}

Result<std::vector<FleetFinding>> SqliteStore::fleet_findings(std::optional<TimePoint> since) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  sqlite::Database* db = reader->get();
  // Revoked devices no longer count towards an incident.
  const std::string where =
      " WHERE f.first_seen >= ? AND f.device_id IN (SELECT id FROM devices WHERE revoked_at IS "
      "NULL)";
  auto st = db->prepare(
      "SELECT f.rule_id, MAX(CASE f.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 "
      "END), MIN(f.title), COUNT(DISTINCT f.device_id), MIN(f.first_seen), MAX(f.last_seen) "
      "FROM device_findings f" +
      where + " GROUP BY f.rule_id ORDER BY COUNT(DISTINCT f.device_id) DESC, f.rule_id");
  if (!st) return tl::unexpected(st.error());
  const std::int64_t since_ms = since ? to_ms(*since) : 0;
  st->bind(1, since_ms);
  std::vector<FleetFinding> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    FleetFinding f;
    f.rule_id = st->column_text(0);
    const auto rank = st->column_int(1);
    f.severity = rank == 3 ? "critical" : rank == 2 ? "warning" : "info";
    f.title = st->column_text(2);
    f.devices = st->column_int(3);
    f.first_seen = from_ms(st->column_int(4));
    f.last_seen = from_ms(st->column_int(5));
    out.push_back(std::move(f));
  }
  auto examples = db->prepare("SELECT DISTINCT f.device_id FROM device_findings f" + where +
                              " AND f.rule_id = ? ORDER BY f.first_seen LIMIT 10");
  if (!examples) return tl::unexpected(examples.error());
  for (auto& f : out) {
    examples->reset();
    examples->bind(1, since_ms).bind(2, f.rule_id);
    for (;;) {
      auto row = examples->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      f.example_devices.push_back(examples->column_text(0));
    }
  }
  return out;
}

}  // namespace triage::collector
