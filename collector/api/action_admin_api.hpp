#pragma once
// Custom actions over REST, under the two-person rule (collector/actions/custom_actions.hpp).
// The body carries the definition as TOML text, validated by the same parser as the built-in
// files (docs/actions.md); built-in and file-defined actions cannot be changed or shadowed
// (409). A change is only proposed; it is in force once a second person approves it.
//   POST   /api/v1/actions          {definition}  propose a new custom action  -> 202 proposal
//   PUT    /api/v1/actions/{id}     {definition}  propose a new version of it  -> 202 proposal
//   DELETE /api/v1/actions/{id}                   propose deleting it          -> 202 proposal
//   GET    /api/v1/actions/proposals?status=      proposals, newest first (senior)
//   GET    /api/v1/actions/proposals/{id}         one, with the definition it replaces
//   POST   /api/v1/actions/proposals/{id}/approve  activates it (not the proposer)
//   POST   /api/v1/actions/proposals/{id}/reject   {reason?}  rejects (the proposer: withdraws)

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_create_action(ApiServices& services, ApiRequest& request);
ApiResult handle_update_action(ApiServices& services, ApiRequest& request);
ApiResult handle_delete_action(ApiServices& services, ApiRequest& request);
ApiResult handle_list_catalog_proposals(ApiServices& services, ApiRequest& request);
ApiResult handle_get_catalog_proposal(ApiServices& services, ApiRequest& request);
ApiResult handle_approve_catalog_proposal(ApiServices& services, ApiRequest& request);
ApiResult handle_reject_catalog_proposal(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
