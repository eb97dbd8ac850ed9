#pragma once
// The delivery log of one integration target (a webhook subscription or a helpdesk
// connector), as both their admin APIs show it.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "collector/api/api_context.hpp"
#include "collector/storage/integration_records.hpp"

namespace triage::collector {

/// One delivery: status, attempts, last HTTP status and error, next attempt.
nlohmann::json delivery_json(const OutboxMessage& message);

/// `GET .../deliveries` of target `target_id`: `status`, `limit`, `offset` from the query.
ApiResult delivery_log_response(ApiServices& services, ApiRequest& request, std::int64_t target_id);

}  // namespace triage::collector
