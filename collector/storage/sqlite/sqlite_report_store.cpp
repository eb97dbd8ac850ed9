// SqliteStore: reports as received (the ingest writer's batch and the device state live in
// sqlite_device_state_store.cpp).
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::to_ms;

Result<bool> SqliteStore::store_report(const StoredReport& report) {
  auto stored = store_reports({report});
  if (!stored) return tl::unexpected(stored.error());
  return stored->front();
}

Result<std::vector<bool>> SqliteStore::store_reports(const std::vector<StoredReport>& reports) {
  IngestBatch batch;
  batch.reports = reports;
  return store_ingest(batch);
}

Result<std::uint64_t> SqliteStore::last_report_seq(std::string_view device_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query("SELECT COALESCE(MAX(seq), 0) FROM reports WHERE device_id = ?",
                                 device_id);
  if (!st) return tl::unexpected(st.error());
  auto seq =
      st->first([](const Statement& s) { return static_cast<std::uint64_t>(s.column_int(0)); });
  if (!seq) return tl::unexpected(seq.error());
  return seq->value_or(0);
}

Result<bool> SqliteStore::has_snapshot(std::string_view device_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(
      "SELECT EXISTS (SELECT 1 FROM reports WHERE device_id = ? AND kind = 'snapshot')", device_id);
  if (!st) return tl::unexpected(st.error());
  auto exists = st->first([](const Statement& s) { return s.column_int(0) != 0; });
  if (!exists) return tl::unexpected(exists.error());
  return exists->value_or(false);
}

Result<std::optional<StoredReport>> SqliteStore::read_report(
    std::string_view device_id, std::string_view where_sql,
    const std::function<void(Statement&)>& bind) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(
      "SELECT seq, kind, received_at, payload FROM reports WHERE device_id = ? AND " +
          std::string(where_sql),
      device_id);
  if (!st) return tl::unexpected(st.error());
  bind(*st);
  return st->first([&](const Statement& s) {
    StoredReport r;
    r.device_id = std::string(device_id);
    r.seq = static_cast<std::uint64_t>(s.column_int(0));
    r.kind = s.column_text(1);
    r.received_at = from_ms(s.column_int(2));
    r.payload = s.column_blob(3);
    return r;
  });
}

Result<std::optional<StoredReport>> SqliteStore::latest_snapshot(std::string_view device_id) {
  return read_report(device_id, "kind = 'snapshot' ORDER BY seq DESC LIMIT 1", [](Statement&) {});
}

Result<std::optional<StoredReport>> SqliteStore::snapshot_at_or_before(std::string_view device_id,
                                                                       TimePoint t) {
  return read_report(device_id,
                     "kind = 'snapshot' AND received_at <= ? ORDER BY received_at DESC LIMIT 1",
                     [&](Statement& s) { s.bind(2, to_ms(t)); });
}

Result<std::optional<StoredReport>> SqliteStore::find_report(std::string_view device_id,
                                                             std::uint64_t seq) {
  return read_report(device_id, "seq = ?",
                     [&](Statement& s) { s.bind(2, static_cast<std::int64_t>(seq)); });
}

}  // namespace triage::collector
