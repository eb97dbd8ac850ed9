#pragma once
// Device registry endpoints.
//   GET   /api/v1/devices                       enrolled devices with online state
//   GET   /api/v1/devices/{id}                  one device
//   PATCH /api/v1/devices/{id}                  technician: owner and tags
//   GET   /api/v1/devices/{id}/snapshots/latest current state (materialized), as reported
//   POST  /api/v1/devices/{id}/revoke           admin: revoke and disconnect

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_list_devices(ApiServices& services, ApiRequest& request);
ApiResult handle_get_device(ApiServices& services, ApiRequest& request);
ApiResult handle_latest_snapshot(ApiServices& services, ApiRequest& request);
ApiResult handle_update_device(ApiServices& services, ApiRequest& request);
ApiResult handle_revoke_device(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
