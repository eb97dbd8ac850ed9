#include "collector/api/action_admin_api.hpp"

#include "collector/actions/custom_actions.hpp"
#include "collector/api/actions_api.hpp"
#include "collector/api/json_fields.hpp"

namespace triage::collector {

namespace {

HttpResponse unavailable() {
  return error_response(http::status::service_unavailable, "unavailable",
                        "remediation actions are not enabled on this collector");
}

/// The `definition` (TOML text) of the request body.
Result<std::string> definition_field(const ApiRequest& request) {
  auto body = parse_json_body(request.http);
  if (!body) return tl::unexpected(body.error());
  if (auto r = reject_unknown_fields(*body, {"definition"}); !r) return tl::unexpected(r.error());
  auto text = string_field(*body, "definition", true);
  if (!text) return tl::unexpected(text.error());
  return std::move(**text);
}

CatalogActor actor_of(const ApiRequest& request) {
  return CatalogActor{request.user->name, request.peer.remote_address};
}

}  // namespace

HttpResponse handle_create_action(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  auto text = definition_field(request);
  if (!text) return error_response(text.error());
  auto def =
      services.custom_actions->create(*text, actor_of(request), std::chrono::system_clock::now());
  if (!def) return error_response(def.error());
  auto res = json_response(http::status::created, action_json(*def));
  res.set(http::field::location, "/api/v1/actions/" + def->id);
  return res;
}

HttpResponse handle_update_action(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  auto text = definition_field(request);
  if (!text) return error_response(text.error());
  auto def = services.custom_actions->update(request.path_params["id"], *text, actor_of(request),
                                             std::chrono::system_clock::now());
  if (!def) return error_response(def.error());
  return json_response(http::status::ok, action_json(*def));
}

HttpResponse handle_delete_action(ApiServices& services, ApiRequest& request) {
  if (!services.custom_actions) return unavailable();
  auto removed = services.custom_actions->remove(request.path_params["id"], actor_of(request),
                                                 std::chrono::system_clock::now());
  if (!removed) return error_response(removed.error());
  HttpResponse res{http::status::no_content, 11};
  res.prepare_payload();
  return res;
}

}  // namespace triage::collector
