// PostgreSQL: the audit log, an append-only hash chain, and its signed checkpoints.
#include "collector/storage/postgres/pg_audit_repository.hpp"

#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using postgres::Rows;
using time_ms::to_ms;

namespace {

constexpr std::string_view kAuditColumns =
    "seq, at, actor, actor_kind, source, type, target, outcome, details, prev_hash, hash";

// Rows read per round trip while scanning the whole chain (audit verify).
constexpr std::int64_t kScanPage = 2000;

AuditRecord read_audit_record(const Rows& r, int i) {
  AuditRecord a;
  a.seq = static_cast<std::uint64_t>(r.int64(i, 0));
  a.at_ms = r.int64(i, 1);
  a.actor = r.text(i, 2);
  a.actor_kind = r.text(i, 3);
  a.source = r.text(i, 4);
  a.type = r.text(i, 5);
  a.target = r.text(i, 6);
  a.outcome = r.text(i, 7);
  a.details = r.text(i, 8);
  a.prev_hash = r.text(i, 9);
  a.hash = r.text(i, 10);
  return a;
}

// `text` as a LIKE pattern matching itself literally ('_' and '%' are wildcards).
std::string like_literal(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '_' || c == '%' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

Result<std::optional<AuditRecord>> PgAuditRepository::audit_head() {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  if (connector_.in_write()) {
    // The caller appends after this head: hold the chain until the transaction ends.
    if (auto r = (*conn)->query("SELECT pg_advisory_xact_lock($1, $2)", kChainLockClass,
                                kChainLockObject);
        !r) {
      return tl::unexpected(r.error());
    }
  }
  auto r = (*conn)->query("SELECT " + std::string(kAuditColumns) +
                          " FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<AuditRecord>();
  return std::optional<AuditRecord>(read_audit_record(*r, 0));
}

Result<void> PgAuditRepository::insert_audit_record(const AuditRecord& a) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // ON CONFLICT: a taken seq is refused without ending the caller's transaction.
  auto r = (*conn)->query("INSERT INTO audit_log(" + std::string(kAuditColumns) +
                              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                              "ON CONFLICT (seq) DO NOTHING",
                          static_cast<std::int64_t>(a.seq), a.at_ms, a.actor, a.actor_kind,
                          a.source, a.type, a.target, a.outcome, a.details, a.prev_hash, a.hash);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) {
    return fail(ErrorCode::kConflict,
                "audit record " + std::to_string(a.seq) + " exists already: the chain would fork");
  }
  return {};
}

Result<AuditPage> PgAuditRepository::list_audit(const AuditFilter& filter) {
  // The SQL holds only fixed fragments and numbered parameters; every value is bound.
  std::string sql = "SELECT " + std::string(kAuditColumns) + " FROM audit_log WHERE true";
  postgres::Params params;
  auto param = [&](const auto& value) {
    params.add(value);
    return "$" + std::to_string(params.size());
  };
  if (filter.since) sql += " AND at >= " + param(to_ms(*filter.since));
  if (filter.until) sql += " AND at < " + param(to_ms(*filter.until));
  if (!filter.type_prefix.empty()) {
    sql += " AND type LIKE " + param(like_literal(filter.type_prefix) + "%");
  }
  if (!filter.actor.empty()) sql += " AND actor = " + param(filter.actor);
  if (!filter.target.empty()) sql += " AND target = " + param(filter.target);
  if (filter.before_seq) {
    sql += " AND seq < " + param(static_cast<std::int64_t>(*filter.before_seq));
  }
  sql += " ORDER BY seq DESC LIMIT " + param(std::int64_t{filter.limit} + 1);

  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->run(sql, std::move(params));
  if (!r) return tl::unexpected(r.error());
  AuditPage page;
  for (int i = 0; i < r->size(); ++i) {
    if (page.items.size() == static_cast<std::size_t>(filter.limit)) {
      page.more = true;
      break;
    }
    page.items.push_back(read_audit_record(*r, i));
  }
  return page;
}

Result<void> PgAuditRepository::scan_audit(std::uint64_t from_seq,
                                           const std::function<bool(const AuditRecord&)>& visit) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto next = static_cast<std::int64_t>(from_seq);
  for (;;) {
    auto r = (*conn)->query("SELECT " + std::string(kAuditColumns) +
                                " FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2",
                            next, kScanPage);
    if (!r) return tl::unexpected(r.error());
    for (int i = 0; i < r->size(); ++i) {
      auto record = read_audit_record(*r, i);
      next = static_cast<std::int64_t>(record.seq) + 1;
      if (!visit(record)) return {};
    }
    if (r->size() < kScanPage) return {};
  }
}

Result<bool> PgAuditRepository::insert_audit_checkpoint(const AuditCheckpoint& c) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "INSERT INTO audit_checkpoints(seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, "
      "$5) ON CONFLICT (seq) DO NOTHING",
      static_cast<std::int64_t>(c.seq), c.hash, c.at_ms, c.key_id, c.signature);
  if (!r) return tl::unexpected(r.error());
  return r->affected() == 1;
}

Result<std::vector<AuditCheckpoint>> PgAuditRepository::audit_checkpoints() {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r =
      (*conn)->query("SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq");
  if (!r) return tl::unexpected(r.error());
  std::vector<AuditCheckpoint> out;
  for (int i = 0; i < r->size(); ++i) {
    AuditCheckpoint c;
    c.seq = static_cast<std::uint64_t>(r->int64(i, 0));
    c.hash = r->text(i, 1);
    c.at_ms = r->int64(i, 2);
    c.key_id = r->text(i, 3);
    c.signature = r->text(i, 4);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace triage::collector
