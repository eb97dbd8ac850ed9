#pragma once
// Custom actions admins add, change and delete over the API, under the two-person rule: one
// admin *proposes* a change (a new action, a new version, a deletion) and it takes effect only
// when a second person (admin or senior, never the proposer, nor an account the proposer
// created) *approves* it; a proposal can be rejected, or withdrawn by its proposer. Only
// activated definitions are stored as custom actions, so only they enter the signed catalog
// and can be ordered. Definitions are validated by the same parser as the built-in files, may
// not rate themselves below their argv's risk floor (risk_floor.hpp), and may never shadow a
// built-in or file-defined id. Every step commits with its audit record
// (catalog.proposed, catalog.action_created/updated/deleted, catalog.proposal_rejected,
// catalog.proposal_withdrawn); an activation re-signs the catalog and pushes it to agents.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "collector/actions/action_catalog.hpp"
#include "collector/actions/order_service.hpp"
#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

class AuditLog;

/// Who takes a step on the catalog: the account, how it authenticated, where from.
struct CatalogActor {
  std::string user;
  std::int64_t user_id = 0;
  Role role = Role::kAdmin;
  std::string credential;  ///< see ProposalStep::credential
  std::string source;      ///< peer address
};

/// `base` plus the stored custom actions. A stored action that no longer validates or whose
/// id `base` defines is left out and named in `skipped` (the collector still starts).
ActionCatalog build_catalog(const ActionCatalog& base, const std::vector<CustomAction>& stored,
                            std::vector<std::string>* skipped = nullptr);

/// The catalog's identity: lowercase hex SHA-256 of "<id> <version> <definition sha256>\n"
/// for every action, in id order.
std::string catalog_sha256(const ActionCatalog& catalog);

/// Records `catalog.loaded` (actor system) unless the newest catalog.* audit record already
/// names this catalog hash, i.e. only when the catalog changed since the collector last ran.
Result<void> record_catalog_loaded(Store& store, AuditLog& audit, const ActionCatalog& catalog,
                                   TimePoint now);

class CustomActions {
 public:
  /// `base`: the built-ins and definition files. The others must outlive this.
  CustomActions(Store& store, OrderService& orders, AuditLog& audit, ActionCatalog base);

  /// Proposes a new action from `definition_text`. kInvalid naming the key (also when it
  /// rates itself below its risk floor), kConflict when the id exists (built-in, file or
  /// custom) or a proposal for it is pending.
  Result<CatalogProposal> propose_create(std::string_view definition_text,
                                         const CatalogActor& actor, TimePoint now);
  /// Proposes a new version of custom action `id`. kInvalid (bad definition, other id,
  /// version not greater than the stored one), kNotFound, kConflict (built-in or file-defined
  /// id, a pending proposal).
  Result<CatalogProposal> propose_update(const std::string& id, std::string_view definition_text,
                                         const CatalogActor& actor, TimePoint now);
  /// Proposes deleting custom action `id`. kNotFound, kConflict as above.
  Result<CatalogProposal> propose_delete(const std::string& id, const CatalogActor& actor,
                                         TimePoint now);

  /// Activates pending proposal `proposal_id`: the change is stored, audited, and the catalog
  /// re-signed and pushed. kDenied for the proposer, an account the proposer created, or a
  /// role below senior; kConflict when it is no longer pending or the action changed since it
  /// was proposed; kNotFound.
  Result<CatalogProposal> approve(std::int64_t proposal_id, const CatalogActor& actor,
                                  TimePoint now);
  /// Rejects pending proposal `proposal_id` (withdraws it when `actor` proposed it). Nothing
  /// in the catalog changes. kConflict when it is no longer pending; kNotFound.
  Result<CatalogProposal> reject(std::int64_t proposal_id, const CatalogActor& actor,
                                 std::string_view reason, TimePoint now);

 private:
  Result<ActionDefinition> parse(std::string_view text, const std::string& id_wanted) const;
  Result<void> refuse_base(const std::string& id) const;
  Result<std::optional<CustomAction>> stored_custom(const std::string& id) const;
  Result<CatalogProposal> record_proposal(CatalogProposal proposal, const ActionDefinition* def,
                                          const CatalogActor& actor);
  /// kDenied when `actor`'s account was created by `proposer` over the API: its creator chose
  /// its password, so it is no second person.
  Result<void> refuse_created_by(const CatalogActor& actor, const std::string& proposer) const;
  /// Proposal `proposal_id` while it is pending; kNotFound, or kConflict once decided.
  Result<CatalogProposal> pending_proposal(std::int64_t proposal_id) const;
  /// Rebuilds the catalog from the store and makes it the orders' catalog.
  Result<void> publish();

  Store& store_;
  OrderService& orders_;
  AuditLog& audit_;
  ActionCatalog base_;
  std::mutex mutex_;  ///< one change at a time
};

}  // namespace triage::collector
