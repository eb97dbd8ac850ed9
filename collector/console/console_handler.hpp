#pragma once
// Serves the web console's embedded static files at "/" on the collector's HTTPS port, with
// the security headers every console response carries. Paths the REST API, health, metrics
// and the agent WebSocket own are not the console's.

#include <optional>
#include <string_view>

#include "shared/transport/http_types.hpp"

namespace triage::collector {

/// The Content-Security-Policy of every console response: scripts, styles and connections
/// from this origin only; no inline script or style; never framed.
inline constexpr std::string_view kConsoleCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// True when `path` (without the query) belongs to the console rather than the API.
bool is_console_path(std::string_view path);

/// The console's answer to `request`, or nothing when its path is not the console's.
/// GET only (405 otherwise). A known file is served with its content type and ETag (304 on a
/// matching If-None-Match); a path without a file extension is a client-side route and gets
/// index.html; any other unknown path is 404.
std::optional<transport::HttpResponse> console_response(const transport::HttpRequest& request);

}  // namespace triage::collector
