#pragma once
// Outbound webhook subscriptions and their delivery log (admin).
//   GET    /api/v1/webhooks/event-types                     the event types
//   GET    /api/v1/webhooks                                 list (never secrets)
//   POST   /api/v1/webhooks                                 create; the secret is shown once
//   GET    /api/v1/webhooks/{id}                            one subscription
//   PATCH  /api/v1/webhooks/{id}                            name, url, events, internal, active
//   DELETE /api/v1/webhooks/{id}                            delete with its delivery log
//   POST   /api/v1/webhooks/{id}/secret                     new secret (shown once)
//   POST   /api/v1/webhooks/{id}/ping                       enqueue a ping event
//   GET    /api/v1/webhooks/{id}/deliveries                 the delivery log (status, limit,
//   offset) GET    /api/v1/webhooks/{id}/deliveries/{did}           one delivery with its payload
//   POST   /api/v1/webhooks/{id}/deliveries/{did}/redeliver queue a delivered/failed one again

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_webhook_event_types(ApiServices& services, ApiRequest& request);
ApiResult handle_list_webhooks(ApiServices& services, ApiRequest& request);
ApiResult handle_create_webhook(ApiServices& services, ApiRequest& request);
ApiResult handle_get_webhook(ApiServices& services, ApiRequest& request);
ApiResult handle_update_webhook(ApiServices& services, ApiRequest& request);
ApiResult handle_delete_webhook(ApiServices& services, ApiRequest& request);
ApiResult handle_rotate_webhook_secret(ApiServices& services, ApiRequest& request);
ApiResult handle_ping_webhook(ApiServices& services, ApiRequest& request);
ApiResult handle_list_webhook_deliveries(ApiServices& services, ApiRequest& request);
ApiResult handle_get_webhook_delivery(ApiServices& services, ApiRequest& request);
ApiResult handle_redeliver_webhook(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
