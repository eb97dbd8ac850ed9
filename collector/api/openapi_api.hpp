#pragma once
// GET /api/v1/openapi.json: the API described by its own OpenAPI 3 document (public).

#include "collector/api/api_context.hpp"

namespace triage::collector {

ApiResult handle_openapi(ApiServices& services, ApiRequest& request);

}  // namespace triage::collector
