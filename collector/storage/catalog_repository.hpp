#pragma once
// Custom actions managed over the API (built-ins and definition files are not stored) and
// proposed catalog changes waiting for a second person.
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/catalog_proposal_records.hpp"
#include "collector/storage/custom_action_records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The reads of this area.
class CatalogReader {
 public:
  virtual ~CatalogReader() = default;

  virtual Result<std::optional<CustomAction>> find_custom_action(std::string_view id) = 0;
  /// Sorted by id.
  virtual Result<std::vector<CustomAction>> list_custom_actions() = 0;
  virtual Result<std::optional<CatalogProposal>> find_catalog_proposal(std::int64_t id) = 0;
  /// Newest first, at most `limit`; only those with `status` when given.
  virtual Result<std::vector<CatalogProposal>> list_catalog_proposals(
      std::optional<ProposalStatus> status, int limit) = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class CatalogRepository : public CatalogReader {
 public:
  /// kConflict when an action with that id is stored already.
  virtual Result<void> insert_custom_action(const CustomAction& action) = 0;
  /// Replaces the stored action `action.id` (version, definition, hash, updated_*) if its hash
  /// is still `expected_sha256`; false, with nothing written, when it changed meanwhile.
  /// kNotFound if unknown.
  virtual Result<bool> replace_custom_action(const CustomAction& action,
                                             std::string_view expected_sha256) = 0;
  /// kNotFound if unknown.
  virtual Result<void> delete_custom_action(std::string_view id) = 0;
  /// Returns the new id. kConflict when a pending proposal for that action id exists.
  virtual Result<std::int64_t> insert_catalog_proposal(const CatalogProposal& proposal) = 0;
  /// Stores `proposal.status`, `decided` and `reason` if the stored one is still pending;
  /// false, with nothing written, when it was decided meanwhile. kNotFound if unknown.
  virtual Result<bool> decide_catalog_proposal(const CatalogProposal& proposal) = 0;
};

}  // namespace triage::collector
