#pragma once
// JSON responses and the one error shape of the REST API: {"error": {"code", "message"}}.

#include <string>

#include <nlohmann/json.hpp>

#include "shared/transport/http_types.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

using transport::HttpRequest;
using transport::HttpResponse;
namespace http = transport::http;

HttpResponse json_response(http::status status, const nlohmann::json& body);

/// `code` is a stable machine-readable word ("unauthorized", "not_found", ...). REST handlers
/// do not call this: they return a failed ApiResult, which the router renders
/// (api_error_response in api_router.hpp); the server uses it for refusals before routing.
HttpResponse error_response(http::status status, std::string_view code, std::string_view message);

}  // namespace triage::collector
