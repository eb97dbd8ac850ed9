// Reports with what they change (device state, metric points), and retention.
#include "collector/storage/sqlite/sqlite_store.hpp"

#include <algorithm>

#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::to_ms;

Result<std::vector<bool>> SqliteStore::store_ingest(const IngestBatch& batch) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<std::vector<bool>> {
    auto st = db_->prepare(
        "INSERT INTO reports(device_id, seq, kind, received_at, payload) VALUES (?,?,?,?,?) "
        "ON CONFLICT(device_id, seq) DO NOTHING");
    if (!st) return tl::unexpected(st.error());
    std::vector<bool> stored;
    stored.reserve(batch.reports.size());
    for (const auto& report : batch.reports) {
      st->reset();
      st->bind(1, report.device_id)
          .bind(2, static_cast<std::int64_t>(report.seq))
          .bind(3, report.kind)
          .bind(4, to_ms(report.received_at))
          .bind_blob(5, report.payload);
      if (auto r = st->run(); !r) return tl::unexpected(r.error());
      stored.push_back(db_->changes() == 1);
    }
    if (!batch.states.empty()) {
      auto upsert = db_->prepare(
          "INSERT INTO device_state(device_id, seq, base_seq, as_of, stale, gap_seq, snapshot) "
          "VALUES (?,?,?,?,?,?,?) ON CONFLICT(device_id) DO UPDATE SET seq = excluded.seq, "
          "base_seq = excluded.base_seq, as_of = excluded.as_of, stale = excluded.stale, "
          "gap_seq = excluded.gap_seq, snapshot = excluded.snapshot");
      if (!upsert) return tl::unexpected(upsert.error());
      for (const auto& state : batch.states) {
        upsert->reset();
        upsert->bind(1, state.device_id)
            .bind(2, static_cast<std::int64_t>(state.seq))
            .bind(3, static_cast<std::int64_t>(state.base_seq))
            .bind(4, to_ms(state.as_of))
            .bind(5, std::int64_t{state.stale ? 1 : 0})
            .bind(6, static_cast<std::int64_t>(state.gap_seq))
            .bind_blob(7, state.snapshot);
        if (auto r = upsert->run(); !r) return tl::unexpected(r.error());
      }
    }
    if (!batch.stale_marks.empty()) {
      auto mark =
          db_->prepare("UPDATE device_state SET stale = 1, gap_seq = ? WHERE device_id = ?");
      if (!mark) return tl::unexpected(mark.error());
      for (const auto& m : batch.stale_marks) {
        mark->reset();
        mark->bind(1, static_cast<std::int64_t>(m.gap_seq)).bind(2, m.device_id);
        if (auto r = mark->run(); !r) return tl::unexpected(r.error());
      }
    }
    if (!batch.points.empty()) {
      auto point = db_->prepare(
          "INSERT INTO metric_points(device_id, metric, t, value) VALUES (?,?,?,?) "
          "ON CONFLICT DO NOTHING");
      if (!point) return tl::unexpected(point.error());
      for (const auto& p : batch.points) {
        point->reset();
        point->bind(1, p.device_id).bind(2, p.metric).bind(3, to_ms(p.t)).bind_real(4, p.value);
        if (auto r = point->run(); !r) return tl::unexpected(r.error());
      }
    }
    return stored;
  });
}

Result<std::optional<DeviceState>> SqliteStore::device_state(std::string_view device_id,
                                                             bool with_snapshot) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT seq, base_seq, as_of, stale, gap_seq") +
                                   (with_snapshot ? ", snapshot" : "") +
                                   " FROM device_state WHERE device_id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, device_id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<DeviceState>();
  DeviceState state;
  state.device_id = std::string(device_id);
  state.seq = static_cast<std::uint64_t>(st->column_int(0));
  state.base_seq = static_cast<std::uint64_t>(st->column_int(1));
  state.as_of = from_ms(st->column_int(2));
  state.stale = st->column_int(3) != 0;
  state.gap_seq = static_cast<std::uint64_t>(st->column_int(4));
  if (with_snapshot) state.snapshot = st->column_blob(5);
  return std::optional<DeviceState>(std::move(state));
}

Result<std::map<std::string, DeviceState>> SqliteStore::device_states(
    const std::vector<std::string>& device_ids, bool with_snapshot) {
  // In process, a read per device costs no round trip.
  std::map<std::string, DeviceState> states;
  for (const auto& id : device_ids) {
    auto state = device_state(id, with_snapshot);
    if (!state) return tl::unexpected(state.error());
    if (*state) states.insert_or_assign(id, std::move(**state));
  }
  return states;
}

Result<std::vector<MetricPoint>> SqliteStore::metric_points(std::string_view device_id,
                                                            std::string_view metric,
                                                            TimePoint since, TimePoint until,
                                                            std::size_t limit) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT t, value FROM metric_points WHERE device_id = ? AND metric = ? AND t >= ? AND "
      "t <= ? ORDER BY t LIMIT ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, device_id)
      .bind(2, metric)
      .bind(3, to_ms(since))
      .bind(4, to_ms(until))
      .bind(5, static_cast<std::int64_t>(limit));
  std::vector<MetricPoint> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(MetricPoint{std::string(device_id), std::string(metric),
                              from_ms(st->column_int(0)), st->column_real(1)});
  }
  return out;
}

Result<std::uint64_t> SqliteStore::delete_chunk(std::string_view sql, std::int64_t cutoff_ms,
                                                std::size_t chunk) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<std::uint64_t> {
    auto st = db_->prepare(sql);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, cutoff_ms).bind(2, static_cast<std::int64_t>(chunk));
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    return static_cast<std::uint64_t>(db_->changes());
  });
}

Result<RetentionResult> SqliteStore::apply_retention(const RetentionCutoffs& cutoffs) {
  // A delta stays while a newer full snapshot of its device is missing (it is part of the
  // chain that rebuilds the newest state) or while an enrichment refers to it.
  constexpr std::string_view kDeltas = R"sql(
DELETE FROM reports WHERE id IN (
  SELECT r.id FROM reports r
  WHERE r.kind = 'delta' AND r.received_at < ?1
    AND r.seq < (SELECT COALESCE(MAX(s.seq), 0) FROM reports s
                 WHERE s.device_id = r.device_id AND s.kind = 'snapshot')
    AND NOT EXISTS (SELECT 1 FROM enrichments e
                    WHERE e.device_id = r.device_id AND e.report_seq = r.seq)
  LIMIT ?2))sql";
  constexpr std::string_view kPoints = R"sql(
DELETE FROM metric_points WHERE (device_id, metric, t) IN (
  SELECT device_id, metric, t FROM metric_points WHERE t < ?1 LIMIT ?2))sql";
  RetentionResult result;
  const std::size_t chunk = std::max<std::size_t>(cutoffs.chunk, 1);
  for (;;) {
    auto n = delete_chunk(kDeltas, to_ms(cutoffs.deltas_before), chunk);
    if (!n) return tl::unexpected(n.error());
    result.deltas_deleted += *n;
    if (*n < chunk) break;
  }
  for (;;) {
    auto n = delete_chunk(kPoints, to_ms(cutoffs.points_before), chunk);
    if (!n) return tl::unexpected(n.error());
    result.points_deleted += *n;
    if (*n < chunk) break;
  }
  return result;
}

}  // namespace triage::collector
