#pragma once
// Findings across the fleet and per device.
//   GET /api/v1/findings?since=RFC3339     one line per problem: how many devices, since when
//   GET /api/v1/devices/{id}/findings      a device's current findings
//   GET /api/v1/findings/rules             the rules: id, default severity, condition

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_fleet_findings(ApiServices& services, ApiRequest& request);
ApiResult handle_device_findings(ApiServices& services, ApiRequest& request);
ApiResult handle_finding_rules(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
