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

/// `code` is a stable machine-readable word ("unauthorized", "not_found", ...).
HttpResponse error_response(http::status status, std::string_view code, std::string_view message);

/// Maps an Error to its HTTP status and code word.
HttpResponse error_response(const Error& error);

}  // namespace triage::collector
