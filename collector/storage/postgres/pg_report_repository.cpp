// PostgreSQL: reports, device state, metric points and retention.
#include "collector/storage/postgres/pg_report_repository.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <utility>

#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using postgres::done;
using postgres::Params;
using time_ms::from_ms;
using time_ms::to_ms;

namespace {

// Reports per INSERT statement: one statement text per batch size up to this, each prepared
// once per connection.
constexpr std::size_t kInsertChunk = 64;

// A text[] parameter's literal: every element quoted, backslash and quote escaped.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT INTO reports(device_id, seq, kind, received_at, kept, payload) SELECT v.* FROM "
      "(VALUES ";
  for (std::size_t i = 0; i < rows; ++i) {
    const auto p = [&](int k) { return "$" + std::to_string(i * 6 + k); };
    if (i > 0) sql += ", ";
    sql += "(" + p(1) + "::text, " + p(2) + "::bigint, " + p(3) + "::text, " + p(4) + "::bigint, " +
           p(5) + "::boolean, " + p(6) + "::bytea)";
  }
  sql +=
      ") AS v(device_id, seq, kind, received_at, kept, payload) WHERE NOT EXISTS (SELECT 1 FROM "
      "reports r WHERE r.device_id = v.device_id AND r.seq = v.seq) RETURNING device_id, seq";
  return sql;
}

// Device states per upsert statement, as kInsertChunk for reports.
constexpr std::size_t kStateChunk = 64;

std::string upsert_states_sql(std::size_t rows) {
  std::string sql =
      "INSERT INTO device_state(device_id, seq, base_seq, as_of, stale, gap_seq, snapshot) VALUES ";
  for (std::size_t i = 0; i < rows; ++i) {
    const auto p = [&](int k) { return "$" + std::to_string(i * 7 + k); };
    if (i > 0) sql += ", ";
    sql += "(" + p(1) + "::text, " + p(2) + "::bigint, " + p(3) + "::bigint, " + p(4) +
           "::bigint, " + p(5) + "::boolean, " + p(6) + "::bigint, " + p(7) + "::bytea)";
  }
  sql +=
      " ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, base_seq = excluded.base_seq, "
      "as_of = excluded.as_of, stale = excluded.stale, gap_seq = excluded.gap_seq, snapshot = "
      "excluded.snapshot";
  return sql;
}

}  // namespace

Result<std::vector<bool>> PgReportRepository::insert_reports(
    postgres::Connection& conn, const std::vector<StoredReport>& reports) {
  std::vector<bool> stored(reports.size(), false);
  if (reports.empty()) return stored;
  // Only deltas go to the day partitions; the rest is kept.
  std::int64_t first_day = 0;
  std::int64_t last_day = -1;
  std::vector<std::string> devices;
  for (const auto& r : reports) {
    devices.push_back(r.device_id);
    if (r.kind != "delta") continue;
    const auto day = PgReportPartitions::day_of(to_ms(r.received_at));
    if (last_day < first_day) first_day = last_day = day;
    first_day = std::min(first_day, day);
    last_day = std::max(last_day, day);
  }
  if (last_day >= first_day) {
    if (auto r = partitions_.ensure(conn, first_day, last_day); !r)
      return tl::unexpected(r.error());
  }
  // (device, seq) is unique by this lock: one writer per device at a time, on any node, and
  // the NOT EXISTS below then sees what an earlier writer committed. Keys in one order, so two
  // batches never wait for each other in a cycle.
  std::sort(devices.begin(), devices.end());
  devices.erase(std::unique(devices.begin(), devices.end()), devices.end());
  if (auto r = conn.query(
          "SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT hashtext(d) AS k FROM "
          "unnest($2::text[]) AS d) AS keys ORDER BY k",
          kDeviceLockClass, text_array(devices));
      !r) {
    return tl::unexpected(r.error());
  }
  // A report twice in one batch: the first one counts.
  std::map<std::pair<std::string, std::int64_t>, std::size_t> first;
  std::vector<std::size_t> unique;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    auto key = std::make_pair(reports[i].device_id, static_cast<std::int64_t>(reports[i].seq));
    if (first.emplace(std::move(key), i).second) unique.push_back(i);
  }
  for (std::size_t start = 0; start < unique.size(); start += kInsertChunk) {
    const auto n = std::min(kInsertChunk, unique.size() - start);
    Params params;
    for (std::size_t j = start; j < start + n; ++j) {
      const auto& r = reports[unique[j]];
      params.add(r.device_id);
      params.add(static_cast<std::int64_t>(r.seq));
      params.add(r.kind);
      params.add(to_ms(r.received_at));
      params.add(r.kind != "delta");
      params.add(postgres::Bytes{r.payload});
    }
    auto inserted = conn.run(insert_sql(n), std::move(params));
    if (!inserted) return tl::unexpected(inserted.error());
    for (int row = 0; row < inserted->size(); ++row) {
      auto found = first.find({inserted->text(row, 0), inserted->int64(row, 1)});
      if (found != first.end()) stored[found->second] = true;
    }
  }
  return stored;
}

Result<bool> PgReportRepository::store_report(const StoredReport& report) {
  auto stored = store_reports({report});
  if (!stored) return tl::unexpected(stored.error());
  return stored->front();
}

Result<std::vector<bool>> PgReportRepository::store_reports(
    const std::vector<StoredReport>& reports) {
  IngestBatch batch;
  batch.reports = reports;
  return store_ingest(batch);
}

Result<std::vector<bool>> PgReportRepository::store_ingest(const IngestBatch& batch) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto stored = insert_reports(**conn, batch.reports);
  if (!stored) return stored;
  // A statement per chunk of states, not one per state: each statement is a round trip that
  // every report of the batch waits for. A device's last state wins, as when they were written
  // one by one (one statement may not upsert a row twice).
  std::map<std::string_view, std::size_t> last_state;
  for (std::size_t i = 0; i < batch.states.size(); ++i) {
    last_state.insert_or_assign(batch.states[i].device_id, i);
  }
  std::vector<std::size_t> states;
  for (std::size_t i = 0; i < batch.states.size(); ++i) {
    if (last_state.at(batch.states[i].device_id) == i) states.push_back(i);
  }
  for (std::size_t start = 0; start < states.size(); start += kStateChunk) {
    const auto n = std::min(kStateChunk, states.size() - start);
    Params params;
    for (std::size_t j = start; j < start + n; ++j) {
      const auto& state = batch.states[states[j]];
      params.add(state.device_id);
      params.add(static_cast<std::int64_t>(state.seq));
      params.add(static_cast<std::int64_t>(state.base_seq));
      params.add(to_ms(state.as_of));
      params.add(state.stale);
      params.add(static_cast<std::int64_t>(state.gap_seq));
      params.add(postgres::Bytes{state.snapshot});
    }
    if (auto r = (*conn)->run(upsert_states_sql(n), std::move(params)); !r) {
      return tl::unexpected(r.error());
    }
  }
  if (!batch.stale_marks.empty()) {
    // The last mark of a device wins, as when they were applied one by one.
    std::map<std::string, std::uint64_t> marks;
    for (const auto& mark : batch.stale_marks) marks.insert_or_assign(mark.device_id, mark.gap_seq);
    std::vector<std::string> devices;
    std::string gaps = "{";
    for (const auto& [device, gap] : marks) {
      devices.push_back(device);
      if (gaps.size() > 1) gaps += ',';
      gaps += std::to_string(gap);
    }
    if (auto r = (*conn)->query(
            "UPDATE device_state d SET stale = true, gap_seq = m.gap_seq FROM unnest($1::text[], "
            "$2::bigint[]) AS m(device_id, gap_seq) WHERE d.device_id = m.device_id",
            text_array(devices), gaps + "}");
        !r) {
      return tl::unexpected(r.error());
    }
  }
  if (!batch.points.empty()) {
    // One statement for the whole batch's points (a delta carries several), in order: the
    // first point at a time wins, as ON CONFLICT DO NOTHING keeps a stored one.
    std::vector<std::string> devices;
    std::vector<std::string> metrics;
    std::string times = "{";
    std::string values = "{";
    for (const auto& p : batch.points) {
      devices.push_back(p.device_id);
      metrics.push_back(p.metric);
      if (times.size() > 1) times += ',';
      times += std::to_string(to_ms(p.t));
      if (values.size() > 1) values += ',';
      char buffer[64];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), p.value);
      values.append(buffer, end);
    }
    if (auto r = (*conn)->query(
            "INSERT INTO metric_points(device_id, metric, t, value) SELECT * FROM "
            "unnest($1::text[], $2::text[], $3::bigint[], $4::float8[]) ON CONFLICT DO NOTHING",
            text_array(devices), text_array(metrics), times + "}", values + "}");
        !r) {
      return tl::unexpected(r.error());
    }
  }
  return stored;
}

Result<std::uint64_t> PgReportRepository::last_report_seq(std::string_view device_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r =
      (*conn)->query("SELECT COALESCE(MAX(seq), 0) FROM reports WHERE device_id = $1", device_id);
  if (!r) return tl::unexpected(r.error());
  return static_cast<std::uint64_t>(r->int64(0, 0));
}

Result<bool> PgReportRepository::has_snapshot(std::string_view device_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // `kept`: snapshots never sit in the history partitions, which stay unread.
  auto r = (*conn)->query(
      "SELECT EXISTS (SELECT 1 FROM reports WHERE kept AND device_id = $1 AND kind = 'snapshot')",
      device_id);
  if (!r) return tl::unexpected(r.error());
  return r->boolean(0, 0);
}

Result<std::optional<StoredReport>> PgReportRepository::read_report(std::string_view device_id,
                                                                    std::string_view where_sql,
                                                                    Params params) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r =
      (*conn)->run("SELECT seq, kind, received_at, payload FROM reports WHERE device_id = $1 AND " +
                       std::string(where_sql),
                   std::move(params));
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<StoredReport>();
  StoredReport report;
  report.device_id = std::string(device_id);
  report.seq = static_cast<std::uint64_t>(r->int64(0, 0));
  report.kind = r->text(0, 1);
  report.received_at = from_ms(r->int64(0, 2));
  report.payload = r->bytes(0, 3);
  return std::optional<StoredReport>(std::move(report));
}

Result<std::optional<StoredReport>> PgReportRepository::latest_snapshot(
    std::string_view device_id) {
  return read_report(device_id, "kept AND kind = 'snapshot' ORDER BY seq DESC LIMIT 1",
                     Params(device_id));
}

Result<std::optional<StoredReport>> PgReportRepository::snapshot_at_or_before(
    std::string_view device_id, TimePoint t) {
  return read_report(device_id,
                     "kept AND kind = 'snapshot' AND received_at <= $2 ORDER BY received_at DESC "
                     "LIMIT 1",
                     Params(device_id, to_ms(t)));
}

Result<std::optional<StoredReport>> PgReportRepository::find_report(std::string_view device_id,
                                                                    std::uint64_t seq) {
  return read_report(device_id, "seq = $2", Params(device_id, static_cast<std::int64_t>(seq)));
}

Result<std::optional<DeviceState>> PgReportRepository::device_state(std::string_view device_id,
                                                                    bool with_snapshot) {
  auto states = device_states({std::string(device_id)}, with_snapshot);
  if (!states) return tl::unexpected(states.error());
  if (states->empty()) return std::optional<DeviceState>();
  return std::optional<DeviceState>(std::move(states->begin()->second));
}

Result<std::map<std::string, DeviceState>> PgReportRepository::device_states(
    const std::vector<std::string>& device_ids, bool with_snapshot) {
  std::map<std::string, DeviceState> states;
  if (device_ids.empty()) return states;
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      with_snapshot ? "SELECT device_id, seq, base_seq, as_of, stale, gap_seq, snapshot FROM "
                      "device_state WHERE device_id = ANY($1::text[])"
                    : "SELECT device_id, seq, base_seq, as_of, stale, gap_seq FROM device_state "
                      "WHERE device_id = ANY($1::text[])",
      text_array(device_ids));
  if (!r) return tl::unexpected(r.error());
  for (int i = 0; i < r->size(); ++i) {
    DeviceState state;
    state.device_id = r->text(i, 0);
    state.seq = static_cast<std::uint64_t>(r->int64(i, 1));
    state.base_seq = static_cast<std::uint64_t>(r->int64(i, 2));
    state.as_of = from_ms(r->int64(i, 3));
    state.stale = r->boolean(i, 4);
    state.gap_seq = static_cast<std::uint64_t>(r->int64(i, 5));
    if (with_snapshot) state.snapshot = r->bytes(i, 6);
    auto id = state.device_id;
    states.insert_or_assign(std::move(id), std::move(state));
  }
  return states;
}

Result<std::vector<MetricPoint>> PgReportRepository::metric_points(std::string_view device_id,
                                                                   std::string_view metric,
                                                                   TimePoint since, TimePoint until,
                                                                   std::size_t limit) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT t, value FROM metric_points WHERE device_id = $1 AND metric = $2 AND t >= $3 AND "
      "t <= $4 ORDER BY t LIMIT $5",
      device_id, metric, to_ms(since), to_ms(until), static_cast<std::int64_t>(limit));
  if (!r) return tl::unexpected(r.error());
  std::vector<MetricPoint> out;
  for (int i = 0; i < r->size(); ++i) {
    out.push_back(MetricPoint{std::string(device_id), std::string(metric), from_ms(r->int64(i, 0)),
                              r->real(i, 1)});
  }
  return out;
}

Result<RetentionResult> PgReportRepository::apply_retention(const RetentionCutoffs& cutoffs) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  RetentionResult result;
  // Each pass also creates the days ahead, so a long-running node keeps them in stock.
  const auto today = PgReportPartitions::day_of(to_ms(std::chrono::system_clock::now()));
  if (auto r = partitions_.ensure(**conn, today - 1, today + 7); !r) {
    return tl::unexpected(r.error());
  }
  const auto cutoff = to_ms(cutoffs.deltas_before);
  // What SQLite's row-by-row retention keeps, a day partition keeps by moving it out of the
  // history first (into the kept partition): a delta after its device's newest snapshot (it
  // rebuilds the newest state) or one an enrichment refers to.
  constexpr std::string_view kStillNeeded =
      "(r.seq >= (SELECT COALESCE(MAX(s.seq), 0) FROM reports s WHERE s.kept AND "
      "s.device_id = r.device_id AND s.kind = 'snapshot') OR EXISTS (SELECT 1 FROM enrichments "
      "e WHERE e.device_id = r.device_id AND e.report_seq = r.seq))";
  auto days = partitions_.existing(**conn);
  if (!days) return tl::unexpected(days.error());
  for (const auto day : *days) {
    if ((day + 1) * PgReportPartitions::kDayMs > cutoff) break;  // not wholly before the cutoff
    if (auto r = (*conn)->query("UPDATE reports r SET kept = true WHERE NOT r.kept AND "
                                "r.received_at >= $1 AND r.received_at < $2 AND " +
                                    std::string(kStillNeeded),
                                day * PgReportPartitions::kDayMs,
                                (day + 1) * PgReportPartitions::kDayMs);
        !r) {
      return tl::unexpected(r.error());
    }
    // Table names are computed here from the day, never taken from input.
    const auto table = PgReportPartitions::table_name(day);
    auto count = (*conn)->query("SELECT count(*) FROM " + table);
    if (!count) return tl::unexpected(count.error());
    if (auto r = (*conn)->exec("DROP TABLE " + table); !r) return tl::unexpected(r.error());
    partitions_.forget(day);
    result.deltas_deleted += static_cast<std::uint64_t>(count->int64(0, 0));
  }
  // Deltas kept by an earlier pass whose device has a newer snapshot now.
  auto kept = (*conn)->query(
      "DELETE FROM reports r WHERE r.kept AND r.kind = 'delta' AND r.received_at < $1 AND NOT " +
          std::string(kStillNeeded),
      cutoff);
  if (!kept) return tl::unexpected(kept.error());
  result.deltas_deleted += static_cast<std::uint64_t>(kept->affected());
  auto points =
      (*conn)->query("DELETE FROM metric_points WHERE t < $1", to_ms(cutoffs.points_before));
  if (!points) return tl::unexpected(points.error());
  result.points_deleted = static_cast<std::uint64_t>(points->affected());
  return result;
}

}  // namespace triage::collector
