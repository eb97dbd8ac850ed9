#pragma once
// The OpenAPI 3 document of the REST API (collector/api/openapi.json, embedded at build time).

#include <string_view>

namespace triage::collector {

/// The document's JSON text, served at GET /api/v1/openapi.json.
std::string_view openapi_document();

}  // namespace triage::collector
