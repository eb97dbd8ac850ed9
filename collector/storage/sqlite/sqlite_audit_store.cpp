// SqliteStore: the audit log, an append-only hash chain, and its signed checkpoints.
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::to_ms;

namespace {

constexpr const char* kAuditColumns =
    "seq, at, actor, actor_kind, source, type, target, outcome, details, prev_hash, hash";

AuditRecord read_audit_record(const Statement& s) {
  AuditRecord r;
  r.seq = static_cast<std::uint64_t>(s.column_int(0));
  r.at_ms = s.column_int(1);
  r.actor = s.column_text(2);
  r.actor_kind = s.column_text(3);
  r.source = s.column_text(4);
  r.type = s.column_text(5);
  r.target = s.column_text(6);
  r.outcome = s.column_text(7);
  r.details = s.column_text(8);
  r.prev_hash = s.column_text(9);
  r.hash = s.column_text(10);
  return r;
}

}  // namespace

Result<void> SqliteStore::insert_audit_record(const AuditRecord& record) {
  std::lock_guard lock(write_mutex_);
  auto insert = db_->prepare(std::string("INSERT INTO audit_log(") + kAuditColumns +
                             ") VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  if (!insert) return tl::unexpected(insert.error());
  insert->bind(1, static_cast<std::int64_t>(record.seq))
      .bind(2, record.at_ms)
      .bind(3, record.actor)
      .bind(4, record.actor_kind)
      .bind(5, record.source)
      .bind(6, record.type)
      .bind(7, record.target)
      .bind(8, record.outcome)
      .bind(9, record.details)
      .bind(10, record.prev_hash)
      .bind(11, record.hash);
  return insert->run();
}

Result<AuditPage> SqliteStore::list_audit(const AuditFilter& filter) {
  std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit_log WHERE 1";
  if (filter.since) sql += " AND at >= ?";
  if (filter.until) sql += " AND at < ?";
  // Callers allow only [a-z0-9_.] in the prefix, so it holds no GLOB wildcard.
  if (!filter.type_prefix.empty()) sql += " AND type GLOB ?";
  if (!filter.actor.empty()) sql += " AND actor = ?";
  if (!filter.target.empty()) sql += " AND target = ?";
  if (filter.before_seq) sql += " AND seq < ?";
  sql += " ORDER BY seq DESC LIMIT ?";

  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(sql);
  if (!st) return tl::unexpected(st.error());
  int i = 0;  // parameters in the order they were added above
  if (filter.since) st->bind(++i, to_ms(*filter.since));
  if (filter.until) st->bind(++i, to_ms(*filter.until));
  const std::string glob = filter.type_prefix + "*";
  if (!filter.type_prefix.empty()) st->bind(++i, std::string_view(glob));
  if (!filter.actor.empty()) st->bind(++i, std::string_view(filter.actor));
  if (!filter.target.empty()) st->bind(++i, std::string_view(filter.target));
  if (filter.before_seq) st->bind(++i, static_cast<std::int64_t>(*filter.before_seq));
  st->bind(++i, std::int64_t{filter.limit} + 1);

  AuditPage page;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    if (page.items.size() == static_cast<std::size_t>(filter.limit)) {
      page.more = true;
      break;
    }
    page.items.push_back(read_audit_record(*st));
  }
  return page;
}

Result<void> SqliteStore::scan_audit(std::uint64_t from_seq,
                                     const std::function<bool(const AuditRecord&)>& visit) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kAuditColumns +
                                   " FROM audit_log WHERE seq >= ? ORDER BY seq");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, static_cast<std::int64_t>(from_seq));
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row || !visit(read_audit_record(*st))) return {};
  }
}

Result<std::optional<AuditRecord>> SqliteStore::audit_head() {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kAuditColumns +
                                   " FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!st) return tl::unexpected(st.error());
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<AuditRecord>();
  return std::optional<AuditRecord>(read_audit_record(*st));
}

Result<bool> SqliteStore::insert_audit_checkpoint(const AuditCheckpoint& c) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "INSERT INTO audit_checkpoints(seq, hash, at, key_id, signature) VALUES (?,?,?,?,?) "
      "ON CONFLICT(seq) DO NOTHING");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, static_cast<std::int64_t>(c.seq))
      .bind(2, c.hash)
      .bind(3, c.at_ms)
      .bind(4, c.key_id)
      .bind(5, c.signature);
  if (auto r = st->run(); !r) return tl::unexpected(r.error());
  return db_->changes() == 1;
}

Result<std::vector<AuditCheckpoint>> SqliteStore::audit_checkpoints() {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq");
  if (!st) return tl::unexpected(st.error());
  std::vector<AuditCheckpoint> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    AuditCheckpoint c;
    c.seq = static_cast<std::uint64_t>(st->column_int(0));
    c.hash = st->column_text(1);
    c.at_ms = st->column_int(2);
    c.key_id = st->column_text(3);
    c.signature = st->column_text(4);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace triage::collector
