// SqliteStore: proposed custom action changes waiting for a second person.
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::to_ms;

namespace {

constexpr const char* kProposalColumns =
    "id, action_id, change, version, definition, sha256, base_sha256, status, proposed_by, "
    "proposed_by_id, proposed_credential, proposed_at, decided_by, decided_by_id, "
    "decided_credential, decided_at, reason";

CatalogProposal read_proposal(const Statement& s) {
  CatalogProposal p;
  p.id = s.column_int(0);
  p.action_id = s.column_text(1);
  p.change = parse_catalog_change(s.column_text(2)).value_or(CatalogChange::kCreate);
  p.version = static_cast<std::uint32_t>(s.column_int(3));
  p.definition = s.column_text(4);
  p.sha256 = s.column_text(5);
  p.base_sha256 = s.column_text(6);
  p.status = parse_proposal_status(s.column_text(7)).value_or(ProposalStatus::kPending);
  p.proposed.user = s.column_text(8);
  p.proposed.user_id = s.column_int(9);
  p.proposed.credential = s.column_text(10);
  p.proposed.at = from_ms(s.column_int(11));
  if (auto at = s.column_optional_int(15)) {
    ProposalStep d;
    d.user = s.column_text(12);
    d.user_id = s.column_int(13);
    d.credential = s.column_text(14);
    d.at = from_ms(*at);
    p.decided = std::move(d);
  }
  p.reason = s.column_text(16);
  return p;
}

}  // namespace

Result<std::int64_t> SqliteStore::insert_catalog_proposal(const CatalogProposal& p) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "INSERT INTO catalog_proposals(action_id, change, version, definition, sha256, "
      "base_sha256, status, proposed_by, proposed_by_id, proposed_credential, proposed_at, "
      "reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, p.action_id)
      .bind(2, catalog_change_name(p.change))
      .bind(3, std::int64_t{p.version})
      .bind(4, p.definition)
      .bind(5, p.sha256)
      .bind(6, p.base_sha256)
      .bind(7, proposal_status_name(p.status))
      .bind(8, p.proposed.user)
      .bind(9, p.proposed.user_id)
      .bind(10, p.proposed.credential)
      .bind(11, to_ms(p.proposed.at))
      .bind(12, p.reason);
  if (auto r = st->run(); !r) {
    if (r.error().code == ErrorCode::kConflict) {
      return fail(ErrorCode::kConflict, "a change of action `" + p.action_id +
                                            "` is awaiting approval already; approve, reject "
                                            "or withdraw that proposal first");
    }
    return tl::unexpected(r.error());
  }
  return sqlite3_last_insert_rowid(db_->handle());
}

Result<std::optional<CatalogProposal>> SqliteStore::find_catalog_proposal(std::int64_t id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kProposalColumns +
                                   " FROM catalog_proposals WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<CatalogProposal>();
  return std::optional<CatalogProposal>(read_proposal(*st));
}

Result<std::vector<CatalogProposal>> SqliteStore::list_catalog_proposals(
    std::optional<ProposalStatus> status, int limit) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  std::string sql = std::string("SELECT ") + kProposalColumns + " FROM catalog_proposals";
  if (status) sql += " WHERE status = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  auto st = reader->get()->prepare(sql);
  if (!st) return tl::unexpected(st.error());
  int i = 0;
  if (status) st->bind(++i, proposal_status_name(*status));
  st->bind(++i, std::int64_t{limit});
  std::vector<CatalogProposal> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_proposal(*st));
  }
}

Result<bool> SqliteStore::decide_catalog_proposal(const CatalogProposal& p) {
  std::lock_guard lock(write_mutex_);
  if (!p.decided) return fail(ErrorCode::kInvalid, "a decision names who took it");
  auto st = db_->prepare(
      "UPDATE catalog_proposals SET status = ?, decided_by = ?, decided_by_id = ?, "
      "decided_credential = ?, decided_at = ?, reason = ? WHERE id = ? AND status = 'pending'");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, proposal_status_name(p.status))
      .bind(2, p.decided->user)
      .bind(3, p.decided->user_id)
      .bind(4, p.decided->credential)
      .bind(5, to_ms(p.decided->at))
      .bind(6, p.reason)
      .bind(7, p.id);
  if (auto r = st->run(); !r) return tl::unexpected(r.error());
  if (db_->changes() > 0) return true;
  auto exists = db_->prepare("SELECT 1 FROM catalog_proposals WHERE id = ?");
  if (!exists) return tl::unexpected(exists.error());
  exists->bind(1, p.id);
  auto row = exists->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return fail(ErrorCode::kNotFound, "no catalog proposal " + std::to_string(p.id));
  return false;
}

}  // namespace triage::collector
