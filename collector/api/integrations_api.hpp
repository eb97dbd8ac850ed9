#pragma once
// Inbound integrations.
//   POST /api/v1/integrations/tickets   create or update a ticket by (external_system,
//                                       external_id); idempotent; API tokens only

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_integration_ticket(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
