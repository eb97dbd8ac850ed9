#pragma once
// Diagnostic probes (read-only, no approval; collector/probes/probe_service.hpp).
//   GET   /api/v1/probes                      the probe catalog: names and parameters (viewer)
//   POST  /api/v1/devices/{id}/probes         run one now {probe, params, ticket_id?,
//                                             time_budget_ms?, output_budget_bytes?}
//                                             (technician; viewer when the config allows)
//   GET   /api/v1/probes/{id}                 the run: request, state and the agent's result
//   GET   /api/v1/devices/{id}/probes?limit=  the device's recent runs, newest first (viewer)

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_probe_catalog(ApiServices& services, ApiRequest& request);
ApiResult handle_run_probe(ApiServices& services, ApiRequest& request);
ApiResult handle_get_probe(ApiServices& services, ApiRequest& request);
ApiResult handle_device_probes(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
