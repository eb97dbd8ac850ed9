// PostgreSQL: custom actions and catalog proposals.
#include "collector/storage/postgres/pg_catalog_repository.hpp"

#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using postgres::Rows;
using time_ms::from_ms;
using time_ms::to_ms;

namespace {

constexpr std::string_view kCustomActionColumns =
    "id, version, definition, sha256, created_by, updated_by, created_at, updated_at";

CustomAction read_custom_action(const Rows& r, int i) {
  CustomAction a;
  a.id = r.text(i, 0);
  a.version = static_cast<std::uint32_t>(r.int64(i, 1));
  a.definition = r.text(i, 2);
  a.sha256 = r.text(i, 3);
  a.created_by = r.text(i, 4);
  a.updated_by = r.text(i, 5);
  a.created_at = from_ms(r.int64(i, 6));
  a.updated_at = from_ms(r.int64(i, 7));
  return a;
}

constexpr std::string_view kProposalColumns =
    "id, action_id, change, version, definition, sha256, base_sha256, status, proposed_by, "
    "proposed_by_id, proposed_credential, proposed_at, decided_by, decided_by_id, "
    "decided_credential, decided_at, reason";

CatalogProposal read_proposal(const Rows& r, int i) {
  CatalogProposal p;
  p.id = r.int64(i, 0);
  p.action_id = r.text(i, 1);
  p.change = parse_catalog_change(r.text(i, 2)).value_or(CatalogChange::kCreate);
  p.version = static_cast<std::uint32_t>(r.int64(i, 3));
  p.definition = r.text(i, 4);
  p.sha256 = r.text(i, 5);
  p.base_sha256 = r.text(i, 6);
  p.status = parse_proposal_status(r.text(i, 7)).value_or(ProposalStatus::kPending);
  p.proposed.user = r.text(i, 8);
  p.proposed.user_id = r.int64(i, 9);
  p.proposed.credential = r.text(i, 10);
  p.proposed.at = from_ms(r.int64(i, 11));
  if (auto at = r.optional_int64(i, 15)) {
    ProposalStep d;
    d.user = r.text(i, 12);
    d.user_id = r.int64(i, 13);
    d.credential = r.text(i, 14);
    d.at = from_ms(*at);
    p.decided = std::move(d);
  }
  p.reason = r.text(i, 16);
  return p;
}

}  // namespace

Result<std::optional<CustomAction>> PgCatalogRepository::find_custom_action(std::string_view id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT " + std::string(kCustomActionColumns) + " FROM custom_actions WHERE id = $1", id);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<CustomAction>();
  return std::optional<CustomAction>(read_custom_action(*r, 0));
}

Result<std::vector<CustomAction>> PgCatalogRepository::list_custom_actions() {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // COLLATE "C": the byte order SQLite sorts by, whatever the database's locale.
  auto r = (*conn)->query("SELECT " + std::string(kCustomActionColumns) +
                          " FROM custom_actions ORDER BY id COLLATE \"C\"");
  if (!r) return tl::unexpected(r.error());
  std::vector<CustomAction> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_custom_action(*r, i));
  return out;
}

Result<std::optional<CatalogProposal>> PgCatalogRepository::find_catalog_proposal(std::int64_t id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT " + std::string(kProposalColumns) + " FROM catalog_proposals WHERE id = $1", id);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<CatalogProposal>();
  return std::optional<CatalogProposal>(read_proposal(*r, 0));
}

Result<std::vector<CatalogProposal>> PgCatalogRepository::list_catalog_proposals(
    std::optional<ProposalStatus> status, int limit) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  const std::optional<std::string> wanted =
      status ? std::optional<std::string>(proposal_status_name(*status)) : std::nullopt;
  auto r = (*conn)->query("SELECT " + std::string(kProposalColumns) +
                              " FROM catalog_proposals WHERE ($1::text IS NULL OR status = $1) "
                              "ORDER BY id DESC LIMIT $2",
                          wanted, limit);
  if (!r) return tl::unexpected(r.error());
  std::vector<CatalogProposal> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_proposal(*r, i));
  return out;
}

Result<void> PgCatalogRepository::insert_custom_action(const CustomAction& a) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // ON CONFLICT DO NOTHING: a duplicate answers kConflict and leaves the transaction usable.
  auto r = (*conn)->query("INSERT INTO custom_actions(" + std::string(kCustomActionColumns) +
                              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                          a.id, a.version, a.definition, a.sha256, a.created_by, a.updated_by,
                          to_ms(a.created_at), to_ms(a.updated_at));
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) return fail(ErrorCode::kConflict, "action `" + a.id + "` exists already");
  return {};
}

Result<bool> PgCatalogRepository::replace_custom_action(const CustomAction& a,
                                                        std::string_view expected_sha256) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // Conditional on the hash: a racing replacement waits for the row and then finds the hash
  // moved on.
  auto r = (*conn)->query(
      "UPDATE custom_actions SET version = $1, definition = $2, sha256 = $3, updated_by = $4, "
      "updated_at = $5 WHERE id = $6 AND sha256 = $7",
      a.version, a.definition, a.sha256, a.updated_by, to_ms(a.updated_at), a.id, expected_sha256);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() > 0) return true;
  auto exists = (*conn)->query("SELECT 1 FROM custom_actions WHERE id = $1", a.id);
  if (!exists) return tl::unexpected(exists.error());
  if (exists->empty()) return fail(ErrorCode::kNotFound, "no custom action `" + a.id + "`");
  return false;
}

Result<void> PgCatalogRepository::delete_custom_action(std::string_view id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query("DELETE FROM custom_actions WHERE id = $1", id);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) {
    return fail(ErrorCode::kNotFound, "no custom action `" + std::string(id) + "`");
  }
  return {};
}

Result<std::int64_t> PgCatalogRepository::insert_catalog_proposal(const CatalogProposal& p) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // ON CONFLICT DO NOTHING: the one pending proposal per action answers kConflict and leaves
  // the transaction usable.
  auto r = (*conn)->query(
      "INSERT INTO catalog_proposals(action_id, change, version, definition, sha256, "
      "base_sha256, status, proposed_by, proposed_by_id, proposed_credential, proposed_at, "
      "reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
      "ON CONFLICT DO NOTHING RETURNING id",
      p.action_id, catalog_change_name(p.change), p.version, p.definition, p.sha256, p.base_sha256,
      proposal_status_name(p.status), p.proposed.user, p.proposed.user_id, p.proposed.credential,
      to_ms(p.proposed.at), p.reason);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) {
    return fail(ErrorCode::kConflict, "a change of action `" + p.action_id +
                                          "` is awaiting approval already; approve, reject "
                                          "or withdraw that proposal first");
  }
  return r->int64(0, 0);
}

Result<bool> PgCatalogRepository::decide_catalog_proposal(const CatalogProposal& p) {
  if (!p.decided) return fail(ErrorCode::kInvalid, "a decision names who took it");
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "UPDATE catalog_proposals SET status = $1, decided_by = $2, decided_by_id = $3, "
      "decided_credential = $4, decided_at = $5, reason = $6 WHERE id = $7 AND status = "
      "'pending'",
      proposal_status_name(p.status), p.decided->user, p.decided->user_id, p.decided->credential,
      to_ms(p.decided->at), p.reason, p.id);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() > 0) return true;
  auto exists = (*conn)->query("SELECT 1 FROM catalog_proposals WHERE id = $1", p.id);
  if (!exists) return tl::unexpected(exists.error());
  if (exists->empty()) {
    return fail(ErrorCode::kNotFound, "no catalog proposal " + std::to_string(p.id));
  }
  return false;
}

}  // namespace triage::collector
