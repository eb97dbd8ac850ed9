#pragma once
// Problem endpoints: one incident behind many tickets, opened from a fleet finding.
//   GET    /api/v1/problems                          ?status=open|resolved
//   POST   /api/v1/problems                          {rule, title?, link_open_tickets?}
//   GET    /api/v1/problems/{id}                     with linked tickets and the fleet finding
//   PATCH  /api/v1/problems/{id}                     {title?, status?, resolution?}
//   POST   /api/v1/problems/{id}/tickets             {ticket_id}: link
//   DELETE /api/v1/problems/{id}/tickets/{ticket_id} unlink

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_list_problems(ApiServices& services, ApiRequest& request);
ApiResult handle_open_problem(ApiServices& services, ApiRequest& request);
ApiResult handle_get_problem(ApiServices& services, ApiRequest& request);
ApiResult handle_update_problem(ApiServices& services, ApiRequest& request);
ApiResult handle_link_problem_ticket(ApiServices& services, ApiRequest& request);
ApiResult handle_unlink_problem_ticket(ApiServices& services, ApiRequest& request);

/// The JSON of a problem, as lists, tickets and findings show it.
nlohmann::json problem_json(const Problem& problem);

}  // namespace triage::collector
