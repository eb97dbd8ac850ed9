#pragma once
// REST handlers of helpdesk connectors (/api/v1/connectors: Request Tracker instances, admin
// only; credentials are write-only) and of linking a ticket to an external ticket
// (/api/v1/tickets/{id}/external-links).

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_list_connectors(ApiServices& services, ApiRequest& request);
ApiResult handle_create_connector(ApiServices& services, ApiRequest& request);
ApiResult handle_get_connector(ApiServices& services, ApiRequest& request);
ApiResult handle_update_connector(ApiServices& services, ApiRequest& request);
ApiResult handle_delete_connector(ApiServices& services, ApiRequest& request);
ApiResult handle_list_connector_deliveries(ApiServices& services, ApiRequest& request);
ApiResult handle_link_external_ticket(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
