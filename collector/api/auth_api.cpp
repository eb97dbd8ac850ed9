#include "collector/api/auth_api.hpp"

#include <spdlog/spdlog.h>

#include "collector/auth/accounts.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

HttpResponse handle_login(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http);
  if (!body) return error_response(body.error());
  auto name = body->value("name", "");
  auto password = body->value("password", "");
  auto result = login(services.store, name, password, services.settings.session_ttl,
                      std::chrono::system_clock::now());
  if (!result) {
    if (result.error().code == ErrorCode::kDenied) {
      spdlog::warn("failed login for `{}` from {}", name.substr(0, 64),
                   request.peer.remote_address);
      return error_response(http::status::unauthorized, "unauthorized", result.error().message);
    }
    return error_response(result.error());
  }
  spdlog::info("user {} logged in from {}", result->user.name, request.peer.remote_address);
  return json_response(
      http::status::ok,
      {{"token", result->token},
       {"expires_at", format_rfc3339(result->expires_at)},
       {"user", {{"name", result->user.name}, {"role", role_name(result->user.role)}}}});
}

}  // namespace triage::collector
