#include "collector/storage/catalog_proposal_records.hpp"

namespace triage::collector {

const char* catalog_change_name(CatalogChange change) {
  switch (change) {
    case CatalogChange::kCreate:
      return "create";
    case CatalogChange::kUpdate:
      return "update";
    case CatalogChange::kDelete:
      return "delete";
  }
  return "create";
}

std::optional<CatalogChange> parse_catalog_change(std::string_view text) {
  for (auto c : {CatalogChange::kCreate, CatalogChange::kUpdate, CatalogChange::kDelete}) {
    if (text == catalog_change_name(c)) return c;
  }
  return std::nullopt;
}

const char* proposal_status_name(ProposalStatus status) {
  switch (status) {
    case ProposalStatus::kPending:
      return "pending";
    case ProposalStatus::kActivated:
      return "activated";
    case ProposalStatus::kRejected:
      return "rejected";
    case ProposalStatus::kWithdrawn:
      return "withdrawn";
  }
  return "pending";
}

std::optional<ProposalStatus> parse_proposal_status(std::string_view text) {
  for (auto s : {ProposalStatus::kPending, ProposalStatus::kActivated, ProposalStatus::kRejected,
                 ProposalStatus::kWithdrawn}) {
    if (text == proposal_status_name(s)) return s;
  }
  return std::nullopt;
}

}  // namespace triage::collector
