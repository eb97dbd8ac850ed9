#include "agent/spool/spool.hpp"

#include <sys/stat.h>

#include <chrono>

#include <spdlog/spdlog.h>

namespace triage::agent::spool {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_by_kind ON outbox(kind, seq);
CREATE TABLE IF NOT EXISTS chain (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  start_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  snapshot BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS help_requests (
  request_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  state TEXT NOT NULL,
  ticket_id TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
)sql";

// Help request outcomes kept for `get-help` to read back; older ones are forgotten.
constexpr int kHelpHistory = 200;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<ReportKind> kind_of(const v1::AgentMessage& message) {
  switch (message.body_case()) {
    case v1::AgentMessage::kSnapshot:
      return ReportKind::kSnapshot;
    case v1::AgentMessage::kDelta:
      return ReportKind::kDelta;
    case v1::AgentMessage::kHelpRequest:
      return ReportKind::kHelpRequest;
    case v1::AgentMessage::kOrderResult:
      return ReportKind::kOrderResult;
    default:
      return std::nullopt;
  }
}

ReportKind parse_kind(std::string_view text) {
  if (text == "delta") return ReportKind::kDelta;
  if (text == "help_request") return ReportKind::kHelpRequest;
  if (text == "order_result") return ReportKind::kOrderResult;
  return ReportKind::kSnapshot;
}

}  // namespace

std::string_view report_kind_name(ReportKind kind) {
  switch (kind) {
    case ReportKind::kSnapshot:
      return "snapshot";
    case ReportKind::kDelta:
      return "delta";
    case ReportKind::kHelpRequest:
      return "help_request";
    case ReportKind::kOrderResult:
      return "order_result";
  }
  return "snapshot";
}

Result<std::unique_ptr<Spool>> Spool::open(const std::filesystem::path& path, SpoolLimits limits) {
  // Reports hold diagnostics: create the file private before SQLite opens it.
  const mode_t old_mask = ::umask(077);
  auto db = sqlite::Database::open(
      path, {sqlite::Durability::kPowerLoss, /*cache_kib=*/256});  // small: the agent stays small
  ::umask(old_mask);
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<Spool> spool(new Spool(std::move(*db), limits));
  if (auto r = spool->migrate(path); !r) return tl::unexpected(r.error());
  return spool;
}

Result<void> Spool::migrate(const std::filesystem::path& path) {
  auto r = sqlite::in_transaction(*db_, [&]() -> Result<void> {
    if (auto s = db_->exec(kSchema); !s) return s;
    return db_->exec("INSERT OR IGNORE INTO meta VALUES ('next_seq', 1), ('evicted_total', 0)");
  });
  if (!r) return fail("spool " + path.string(), r.error());
  return {};
}

Result<std::int64_t> Spool::meta(std::string_view key, std::int64_t fallback) {
  auto stmt = db_->prepare("SELECT value FROM meta WHERE key = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->bind(1, key);
  auto row = stmt->step();
  if (!row) return tl::unexpected(row.error());
  return *row ? stmt->column_int(0) : fallback;
}

Result<void> Spool::set_meta(std::string_view key, std::int64_t value) {
  auto stmt = db_->prepare("INSERT OR REPLACE INTO meta VALUES (?, ?)");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->bind(1, key).bind(2, value).run();
}

Result<std::uint64_t> Spool::append(v1::AgentMessage& message, const v1::Snapshot* chain_after) {
  auto kind = kind_of(message);
  if (!kind) return fail(ErrorCode::kInvalid, "spool: this message is not a report");
  if (*kind == ReportKind::kDelta && chain_after == nullptr) {
    return fail(ErrorCode::kInvalid, "spool: a delta needs the state it leads to");
  }
  const std::string request_id =
      *kind == ReportKind::kHelpRequest ? message.help_request().request_id() : "";
  return sqlite::in_transaction(*db_, [&]() -> Result<std::uint64_t> {
    if (!request_id.empty()) {
      auto existing = db_->prepare("SELECT seq FROM help_requests WHERE request_id = ?");
      if (!existing) return tl::unexpected(existing.error());
      existing->bind(1, request_id);
      auto row = existing->step();
      if (!row) return tl::unexpected(row.error());
      if (*row) return static_cast<std::uint64_t>(existing->column_int(0));
    }
    if (*kind == ReportKind::kDelta) {
      auto current = chain();
      if (!current) return tl::unexpected(current.error());
      if (!*current || (*current)->last_seq != message.delta().delta().base_seq()) {
        return fail(ErrorCode::kConflict, "spool: the delta does not extend the current chain");
      }
    }
    auto next = meta("next_seq", 1);
    if (!next) return tl::unexpected(next.error());
    const auto seq = static_cast<std::uint64_t>(*next);
    message.set_seq(seq);
    std::string frame;
    if (!message.SerializeToString(&frame)) return fail("spool: cannot encode the report");
    auto insert = db_->prepare(
        "INSERT INTO outbox (seq, kind, created_at, request_id, payload) VALUES (?, ?, ?, ?, ?)");
    if (!insert) return tl::unexpected(insert.error());
    insert->bind(1, static_cast<std::int64_t>(seq))
        .bind(2, report_kind_name(*kind))
        .bind(3, now_ms())
        .bind(4, request_id)
        .bind_blob(5, frame);
    if (auto r = insert->run(); !r) return tl::unexpected(r.error());
    if (auto r = set_meta("next_seq", *next + 1); !r) return tl::unexpected(r.error());
    if (!request_id.empty()) {
      auto help = db_->prepare(
          "INSERT INTO help_requests (request_id, seq, state, updated_at) "
          "VALUES (?, ?, 'queued', ?)");
      if (!help) return tl::unexpected(help.error());
      help->bind(1, request_id).bind(2, static_cast<std::int64_t>(seq)).bind(3, now_ms());
      if (auto r = help->run(); !r) return tl::unexpected(r.error());
    }
    if (*kind == ReportKind::kSnapshot || *kind == ReportKind::kDelta) {
      const v1::Snapshot& state =
          chain_after != nullptr ? *chain_after : message.snapshot().snapshot();
      std::string blob;
      state.SerializeToString(&blob);
      auto upsert =
          db_->prepare(*kind == ReportKind::kSnapshot
                           ? "INSERT OR REPLACE INTO chain (id, start_seq, last_seq, snapshot) "
                             "VALUES (1, ?1, ?1, ?2)"
                           : "UPDATE chain SET last_seq = ?1, snapshot = ?2 WHERE id = 1");
      if (!upsert) return tl::unexpected(upsert.error());
      upsert->bind(1, static_cast<std::int64_t>(seq)).bind_blob(2, blob);
      if (auto r = upsert->run(); !r) return tl::unexpected(r.error());
    }
    if (auto r = evict_to_cap(seq); !r) return tl::unexpected(r.error());
    return seq;
  });
}

Result<void> Spool::evict_to_cap(std::uint64_t keep_seq) {
  for (;;) {
    auto size = db_->prepare("SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM outbox");
    if (!size) return tl::unexpected(size.error());
    if (auto r = size->step(); !r) return tl::unexpected(r.error());
    if (static_cast<std::uint64_t>(size->column_int(0)) <= limits_.max_bytes) return {};
    // Oldest delta first, then the oldest full snapshot; never help requests or order results,
    // never the report being stored.
    auto victim = db_->prepare(
        "SELECT seq, kind FROM outbox WHERE seq != ? AND kind IN ('delta', 'snapshot') "
        "ORDER BY kind = 'snapshot', seq LIMIT 1");
    if (!victim) return tl::unexpected(victim.error());
    victim->bind(1, static_cast<std::int64_t>(keep_seq));
    auto row = victim->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) {
      spdlog::warn("spool over its cap of {} bytes with nothing left that may be evicted",
                   limits_.max_bytes);
      return {};
    }
    const auto seq = victim->column_int(0);
    const auto kind = victim->column_text(1);
    auto del = db_->prepare("DELETE FROM outbox WHERE seq = ?");
    if (!del) return tl::unexpected(del.error());
    if (auto r = del->bind(1, seq).run(); !r) return r;
    // A report of the current chain is gone: the collector could not follow the deltas after it.
    auto broken = db_->prepare("DELETE FROM chain WHERE start_seq <= ?");
    if (!broken) return tl::unexpected(broken.error());
    if (auto r = broken->bind(1, seq).run(); !r) return r;
    auto total = meta("evicted_total", 0);
    if (!total) return tl::unexpected(total.error());
    if (auto r = set_meta("evicted_total", *total + 1); !r) return r;
    spdlog::warn("spool full: evicted {} #{}", kind, seq);
  }
}

Result<std::optional<ChainState>> Spool::chain() {
  auto stmt = db_->prepare("SELECT start_seq, last_seq, snapshot FROM chain WHERE id = 1");
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<ChainState>{};
  ChainState state;
  state.start_seq = static_cast<std::uint64_t>(stmt->column_int(0));
  state.last_seq = static_cast<std::uint64_t>(stmt->column_int(1));
  if (!state.snapshot.ParseFromString(stmt->column_blob(2))) {
    spdlog::warn("spool: the stored chain snapshot is unreadable; starting a new chain");
    return std::optional<ChainState>{};
  }
  return std::optional<ChainState>(std::move(state));
}

Result<void> Spool::break_chain() { return db_->exec("DELETE FROM chain"); }

Result<std::vector<SpooledReport>> Spool::pending_after(std::uint64_t after_seq,
                                                        std::size_t max_count,
                                                        std::size_t max_bytes) {
  auto stmt =
      db_->prepare("SELECT seq, kind, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->bind(1, static_cast<std::int64_t>(after_seq)).bind(2, static_cast<std::int64_t>(max_count));
  std::vector<SpooledReport> out;
  std::size_t bytes = 0;
  while (bytes < max_bytes) {
    auto row = stmt->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    SpooledReport report;
    report.seq = static_cast<std::uint64_t>(stmt->column_int(0));
    report.kind = parse_kind(stmt->column_text(1));
    report.frame = stmt->column_blob(2);
    bytes += report.frame.size();
    out.push_back(std::move(report));
  }
  return out;
}

Result<bool> Spool::has_pending(ReportKind kind) {
  auto stmt = db_->prepare("SELECT 1 FROM outbox WHERE kind = ? LIMIT 1");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->bind(1, report_kind_name(kind));
  return stmt->step();
}

Result<std::optional<AckedReport>> Spool::acknowledge(std::uint64_t seq, bool rejected,
                                                      const std::string& ticket_id) {
  return sqlite::in_transaction(*db_, [&]() -> Result<std::optional<AckedReport>> {
    auto find = db_->prepare("SELECT kind, request_id FROM outbox WHERE seq = ?");
    if (!find) return tl::unexpected(find.error());
    find->bind(1, static_cast<std::int64_t>(seq));
    auto row = find->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return std::optional<AckedReport>{};
    AckedReport acked{parse_kind(find->column_text(0)), find->column_text(1)};
    auto del = db_->prepare("DELETE FROM outbox WHERE seq = ?");
    if (!del) return tl::unexpected(del.error());
    if (auto r = del->bind(1, static_cast<std::int64_t>(seq)).run(); !r) {
      return tl::unexpected(r.error());
    }
    if (!acked.request_id.empty()) {
      auto help = db_->prepare(
          "UPDATE help_requests SET state = ?, ticket_id = ?, updated_at = ? WHERE seq = ?");
      if (!help) return tl::unexpected(help.error());
      help->bind(1, rejected ? "rejected" : "delivered")
          .bind(2, ticket_id)
          .bind(3, now_ms())
          .bind(4, static_cast<std::int64_t>(seq));
      if (auto r = help->run(); !r) return tl::unexpected(r.error());
      auto trim = db_->prepare(
          "DELETE FROM help_requests WHERE seq NOT IN "
          "(SELECT seq FROM help_requests ORDER BY seq DESC LIMIT ?)");
      if (!trim) return tl::unexpected(trim.error());
      if (auto r = trim->bind(1, kHelpHistory).run(); !r) return tl::unexpected(r.error());
    }
    return std::optional<AckedReport>(std::move(acked));
  });
}

Result<void> Spool::ensure_next_seq_above(std::uint64_t committed) {
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto next = meta("next_seq", 1);
    if (!next) return tl::unexpected(next.error());
    const auto wanted = static_cast<std::int64_t>(committed) + 1;
    if (*next >= wanted) return {};
    return set_meta("next_seq", wanted);
  });
}

Result<SpoolStats> Spool::stats() {
  SpoolStats out;
  auto stmt = db_->prepare("SELECT COUNT(*), COALESCE(SUM(LENGTH(payload)), 0) FROM outbox");
  if (!stmt) return tl::unexpected(stmt.error());
  if (auto r = stmt->step(); !r) return tl::unexpected(r.error());
  out.depth = static_cast<std::uint64_t>(stmt->column_int(0));
  out.bytes = static_cast<std::uint64_t>(stmt->column_int(1));
  auto evicted = meta("evicted_total", 0);
  auto next = meta("next_seq", 1);
  if (!evicted) return tl::unexpected(evicted.error());
  if (!next) return tl::unexpected(next.error());
  out.evicted_total = static_cast<std::uint64_t>(*evicted);
  out.next_seq = static_cast<std::uint64_t>(*next);
  return out;
}

Result<std::optional<HelpStatus>> Spool::help_status(const std::string& request_id) {
  auto stmt = db_->prepare("SELECT seq, state, ticket_id FROM help_requests WHERE request_id = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->bind(1, request_id);
  auto row = stmt->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<HelpStatus>{};
  return std::optional<HelpStatus>(HelpStatus{static_cast<std::uint64_t>(stmt->column_int(0)),
                                              stmt->column_text(1), stmt->column_text(2)});
}

}  // namespace triage::agent::spool
