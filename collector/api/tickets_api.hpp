#pragma once
// Ticket endpoints.
//   POST  /api/v1/tickets                          create (device_id optional: enriched)
//   GET   /api/v1/tickets                          queue: filter, sort, page
//   GET   /api/v1/tickets/{id}                     timeline, attachments, diagnostics, findings
//   PATCH /api/v1/tickets/{id}                     status, priority, tier, queue, assignee...
//   POST  /api/v1/tickets/{id}/notes               internal or public note
//   POST  /api/v1/tickets/{id}/time                time entry
//   POST  /api/v1/tickets/{id}/escalate            to a higher tier, with a reason
//   POST  /api/v1/tickets/{id}/devices             link a device (enriched)
//   POST  /api/v1/tickets/{id}/diagnostics         refresh diagnostics of linked devices
//   GET   /api/v1/tickets/{id}/attachments/{aid}   attachment bytes

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_create_ticket(ApiServices& services, ApiRequest& request);
ApiResult handle_list_tickets(ApiServices& services, ApiRequest& request);
ApiResult handle_get_ticket(ApiServices& services, ApiRequest& request);
ApiResult handle_update_ticket(ApiServices& services, ApiRequest& request);
ApiResult handle_add_note(ApiServices& services, ApiRequest& request);
ApiResult handle_add_time(ApiServices& services, ApiRequest& request);
ApiResult handle_escalate(ApiServices& services, ApiRequest& request);
ApiResult handle_link_device(ApiServices& services, ApiRequest& request);
ApiResult handle_refresh_diagnostics(ApiServices& services, ApiRequest& request);
ApiResult handle_get_attachment(ApiServices& services, ApiRequest& request);

/// The full staff view of a ticket (also used by integrations).
Result<nlohmann::json> load_ticket_detail(ApiServices& services, std::int64_t id);

}  // namespace triage::collector
