#pragma once
// Proposed changes to the custom action catalog, as they cross the storage interface. A
// change is proposed by one admin and takes effect only when a second person approves it
// (collector/actions/catalog_proposals.hpp); until then it is only a row here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collector/storage/records.hpp"

namespace triage::collector {

/// What a proposal does to the custom actions.
enum class CatalogChange { kCreate, kUpdate, kDelete };

/// Where a proposal stands. Only kPending changes, and only once.
enum class ProposalStatus { kPending, kActivated, kRejected, kWithdrawn };

const char* catalog_change_name(CatalogChange change);
std::optional<CatalogChange> parse_catalog_change(std::string_view text);
const char* proposal_status_name(ProposalStatus status);
std::optional<ProposalStatus> parse_proposal_status(std::string_view text);

/// One person's step on a proposal: who, under which account id and with which credential.
struct ProposalStep {
  std::string user;
  std::int64_t user_id = 0;
  std::string credential;  ///< "session:<hash prefix>", "cookie:<hash prefix>", "api_token:<id>"
  TimePoint at;
};

struct CatalogProposal {
  std::int64_t id = 0;
  std::string action_id;
  CatalogChange change = CatalogChange::kCreate;
  std::uint32_t version = 0;  ///< the proposed version; the deleted one for kDelete
  std::string definition;     ///< the TOML text proposed, byte for byte; empty for kDelete
  std::string sha256;         ///< hex SHA-256 of `definition`; empty for kDelete
  /// The active definition's hash the change was proposed against (empty for kCreate): the
  /// proposal activates only while that is still the stored one.
  std::string base_sha256;
  ProposalStatus status = ProposalStatus::kPending;
  ProposalStep proposed;
  std::optional<ProposalStep> decided;  ///< who activated, rejected or withdrew it
  std::string reason;                   ///< a rejection's reason, as given
};

}  // namespace triage::collector
