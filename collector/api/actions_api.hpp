#pragma once
// Remediation actions and orders.
//   GET   /api/v1/actions                     the catalog (viewer)
//   POST  /api/v1/tickets/{id}/actions        request an order {action, params, device_id?}
//   GET   /api/v1/tickets/{id}/orders         the ticket's orders
//   GET   /api/v1/orders                      orders, newest first {state, device_id, ticket_id}
//   GET   /api/v1/orders/{id}                 state, outcome and output so far
//   POST  /api/v1/orders/{id}/approve         a second person (senior) approves
//   POST  /api/v1/orders/{id}/reject          ... or rejects {reason?}
//   POST  /api/v1/orders/{id}/cancel          the requester or a senior cancels an unsent order

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_list_actions(ApiServices& services, ApiRequest& request);
ApiResult handle_request_action(ApiServices& services, ApiRequest& request);
ApiResult handle_ticket_orders(ApiServices& services, ApiRequest& request);
ApiResult handle_list_orders(ApiServices& services, ApiRequest& request);
ApiResult handle_get_order(ApiServices& services, ApiRequest& request);
ApiResult handle_approve_order(ApiServices& services, ApiRequest& request);
ApiResult handle_reject_order(ApiServices& services, ApiRequest& request);
ApiResult handle_cancel_order(ApiServices& services, ApiRequest& request);

/// The API view of one action definition.
nlohmann::json action_json(const ActionDefinition& def);
/// The API view of an order (with its output when `output` is given).
nlohmann::json order_json(const Order& order, const std::vector<OrderOutputChunk>* output);

}  // namespace triage::collector
