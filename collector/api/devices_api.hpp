#pragma once
// Device registry endpoints.
//   GET  /api/v1/devices                       enrolled devices with online state
//   GET  /api/v1/devices/{id}                  one device
//   GET  /api/v1/devices/{id}/snapshots/latest newest full snapshot, as reported
//   POST /api/v1/devices/{id}/revoke           admin: revoke and disconnect

#include "collector/api/api_context.hpp"

namespace triage::collector {

HttpResponse handle_list_devices(ApiServices& services, ApiRequest& request);
HttpResponse handle_get_device(ApiServices& services, ApiRequest& request);
HttpResponse handle_latest_snapshot(ApiServices& services, ApiRequest& request);
HttpResponse handle_revoke_device(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
