#pragma once
// Metric history of a device, for charts.
//   GET /api/v1/devices/{id}/history?metric=disk.root.used_pct&since=&until=&limit=
// Metric names: collector/ingest/metric_extractor.hpp (and docs/api.md).

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_device_history(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
