#include "collector/api/log_levels_api.hpp"

#include <string>

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/api/json_response.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::collector {

namespace {

nlohmann::json levels_json(const LogLevels& set) {
  nlohmann::json subsystems = nlohmann::json::object();
  for (const auto& [name, level] : effective_log_levels()) subsystems[name] = level;
  nlohmann::json own = nlohmann::json::object();
  for (const auto& [name, level] : set.subsystems) own[name] = level;
  return {{"level", set.level}, {"levels", subsystems}, {"set", own}};
}

// The levels after `body` changes `current`.
Result<LogLevels> changed_levels(const nlohmann::json& body, LogLevels current) {
  auto level = optional_string(body, "level");
  if (!level) return tl::unexpected(level.error());
  if (*level) current.level = **level;
  if (body.contains("levels")) {
    const auto& levels = body["levels"];
    if (!levels.is_object()) {
      return fail(ErrorCode::kInvalid, "`levels` must be an object of subsystem: level");
    }
    for (const auto& [name, value] : levels.items()) {
      if (value.is_null()) {
        current.subsystems.erase(name);
      } else if (value.is_string()) {
        current.subsystems[name] = value.get<std::string>();
      } else {
        return fail(ErrorCode::kInvalid, "`levels." + name + "` must be a level name or null");
      }
    }
  }
  if (auto checked = check_log_levels(current); !checked) return tl::unexpected(checked.error());
  return current;
}

}  // namespace

ApiResult handle_get_log_levels(ApiServices&, ApiRequest&) {
  return json_response(http::status::ok, levels_json(current_log_levels()));
}

ApiResult handle_put_log_levels(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http, {"level", "levels"});
  if (!body) return tl::unexpected(body.error());
  const auto before = current_log_levels();
  auto after = changed_levels(*body, before);
  if (!after) return tl::unexpected(after.error());
  // Recorded first: a change the audit log cannot hold is not made.
  auto event = request_audit_event(request, "log_levels.changed", "log_levels");
  event.details["before"] = levels_json(before);
  event.details["after"] = {{"level", after->level}, {"set", after->subsystems}};
  if (auto recorded = services.audit.record(event); !recorded) {
    return tl::unexpected(recorded.error());
  }
  if (auto applied = apply_log_levels(*after); !applied) return tl::unexpected(applied.error());
  logs::api().info("log levels changed by {}: {}", request.user->name, body->dump());
  return json_response(http::status::ok, levels_json(*after));
}

}  // namespace triage::collector
