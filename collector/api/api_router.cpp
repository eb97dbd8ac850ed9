#include "collector/api/api_router.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <utility>

#include "collector/api/action_admin_api.hpp"
#include "collector/api/actions_api.hpp"
#include "collector/api/audit_api.hpp"
#include "collector/api/auth_api.hpp"
#include "collector/api/connectors_api.hpp"
#include "collector/api/device_history_api.hpp"
#include "collector/api/devices_api.hpp"
#include "collector/api/directory_recheck.hpp"
#include "collector/api/enroll_api.hpp"
#include "collector/api/enrollment_tokens_api.hpp"
#include "collector/api/findings_api.hpp"
#include "collector/api/integrations_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/api/live_api.hpp"
#include "collector/api/log_levels_api.hpp"
#include "collector/api/openapi_api.hpp"
#include "collector/api/probes_api.hpp"
#include "collector/api/problems_api.hpp"
#include "collector/api/query_params.hpp"
#include "collector/api/sessions_api.hpp"
#include "collector/api/tickets_api.hpp"
#include "collector/api/totp_api.hpp"
#include "collector/api/users_api.hpp"
#include "collector/api/webhooks_api.hpp"
#include "collector/auth/accounts.hpp"
#include "collector/auth/cookies.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::collector {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool role_allows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

// What a user who must change their password may still do: change it, see who they are (the
// console shows the form from it) and log out.
bool allowed_before_password_change(http::verb method, const std::vector<std::string>& route) {
  auto is = [&](http::verb m, std::initializer_list<std::string_view> path) {
    return method == m && std::equal(route.begin(), route.end(), path.begin(), path.end());
  };
  return is(http::verb::post, {"api", "v1", "me", "password"}) ||
         is(http::verb::post, {"api", "v1", "auth", "password"}) ||
         is(http::verb::get, {"api", "v1", "auth", "me"}) ||
         is(http::verb::post, {"api", "v1", "auth", "logout"});
}

// What an admin without a second factor may still do when one is required: enroll it, and
// what a user who must change their password may do.
bool allowed_before_totp(http::verb method, const std::vector<std::string>& route) {
  auto is = [&](http::verb m, std::initializer_list<std::string_view> path) {
    return method == m && std::equal(route.begin(), route.end(), path.begin(), path.end());
  };
  return allowed_before_password_change(method, route) ||
         is(http::verb::post, {"api", "v1", "me", "totp"}) ||
         is(http::verb::post, {"api", "v1", "me", "totp", "confirm"});
}

// Every Cookie header, joined as one (HTTP/2 proxies may split them); the parser bounds it.
std::string joined_cookies(const HttpRequest& request) {
  std::string out;
  auto [begin, end] = request.equal_range(http::field::cookie);
  for (auto it = begin; it != end; ++it) {
    if (out.size() > kMaxCookieHeaderBytes) break;
    if (!out.empty()) out += "; ";
    out += std::string_view(it->value().data(), it->value().size());
  }
  return out;
}

}  // namespace

Result<nlohmann::json> parse_json_body(const HttpRequest& request) {
  auto body = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return fail(ErrorCode::kInvalid, "request body must be a JSON object");
  }
  return body;
}

Result<nlohmann::json> parse_json_body(const HttpRequest& request,
                                       std::initializer_list<std::string_view> known) {
  auto body = parse_json_body(request);
  if (!body) return body;
  if (auto r = reject_unknown_fields(*body, known); !r) return tl::unexpected(r.error());
  return body;
}

Result<std::int64_t> numeric_path_param(ApiRequest& request, const char* name,
                                        std::string_view what) {
  const auto& text = request.path_params[name];
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
    return fail(ErrorCode::kNotFound, "no " + std::string(what) + " " + text.substr(0, 32));
  }
  return id;
}

std::vector<RouteSpec> api_routes() {
  std::vector<RouteSpec> routes;
  auto add = [&routes](http::verb method, std::string_view pattern, Access access, Role min_role,
                       RouteSpec::Handler handler) {
    routes.push_back(RouteSpec{method, std::string(pattern), access, min_role, handler});
  };
  add(http::verb::get, "/healthz", Access::kPublic, Role::kViewer,
      [](ApiServices&, ApiRequest&) -> ApiResult {
        return json_response(http::status::ok, {{"status", "ok"}});
      });
  add(http::verb::get, "/metrics", Access::kPublic, Role::kViewer,
      [](ApiServices& services, ApiRequest&) -> ApiResult {
        HttpResponse res{http::status::ok, 11};
        res.set(http::field::content_type, "text/plain; version=0.0.4");
        res.body() = services.metrics.render();
        res.prepare_payload();
        return res;
      });
  add(http::verb::get, "/api/v1/openapi.json", Access::kPublic, Role::kViewer, handle_openapi);
  add(http::verb::post, "/api/v1/enroll", Access::kPublic, Role::kViewer, handle_enroll);
  // Authentication, sessions, API tokens and users.
  add(http::verb::post, "/api/v1/auth/login", Access::kPublic, Role::kViewer, handle_login);
  add(http::verb::post, "/api/v1/auth/logout", Access::kAuthenticated, Role::kViewer,
      handle_logout);
  add(http::verb::get, "/api/v1/auth/me", Access::kAuthenticated, Role::kViewer, handle_me);
  add(http::verb::post, "/api/v1/auth/password", Access::kAuthenticated, Role::kViewer,
      handle_change_password);
  add(http::verb::post, "/api/v1/me/password", Access::kAuthenticated, Role::kViewer,
      handle_change_password);
  add(http::verb::post, "/api/v1/me/totp", Access::kAuthenticated, Role::kViewer,
      handle_begin_totp);
  add(http::verb::post, "/api/v1/me/totp/confirm", Access::kAuthenticated, Role::kViewer,
      handle_confirm_totp);
  add(http::verb::delete_, "/api/v1/me/totp", Access::kAuthenticated, Role::kViewer,
      handle_remove_totp);
  add(http::verb::get, "/api/v1/me/sessions", Access::kAuthenticated, Role::kViewer,
      handle_list_own_sessions);
  add(http::verb::delete_, "/api/v1/me/sessions/{id}", Access::kAuthenticated, Role::kViewer,
      handle_revoke_own_session);
  // API tokens are personal: anyone mints, lists and revokes their own; an admin also mints
  // for service accounts and lists and revokes every token (checked in the handlers).
  add(http::verb::post, "/api/v1/auth/tokens", Access::kAuthenticated, Role::kViewer,
      handle_create_api_token);
  add(http::verb::get, "/api/v1/auth/tokens", Access::kAuthenticated, Role::kViewer,
      handle_list_api_tokens);
  add(http::verb::delete_, "/api/v1/auth/tokens/{id}", Access::kAuthenticated, Role::kViewer,
      handle_revoke_api_token);
  add(http::verb::get, "/api/v1/users", Access::kAuthenticated, Role::kAdmin, handle_list_users);
  add(http::verb::post, "/api/v1/users", Access::kAuthenticated, Role::kAdmin, handle_create_user);
  add(http::verb::patch, "/api/v1/users/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_update_user);
  add(http::verb::post, "/api/v1/users/{name}/reset-password", Access::kAuthenticated, Role::kAdmin,
      handle_reset_password);
  add(http::verb::get, "/api/v1/users/{name}/sessions", Access::kAuthenticated, Role::kAdmin,
      handle_list_user_sessions);
  add(http::verb::delete_, "/api/v1/users/{name}/sessions/{id}", Access::kAuthenticated,
      Role::kAdmin, handle_revoke_user_session);
  // End of authentication routes.
  // The audit log: seniors approve risky work and review what happened; admins own security.
  add(http::verb::get, "/api/v1/audit", Access::kAuthenticated, Role::kSenior, handle_list_audit);
  add(http::verb::get, "/api/v1/enrollment-tokens", Access::kAuthenticated, Role::kAdmin,
      handle_list_enrollment_tokens);
  add(http::verb::post, "/api/v1/enrollment-tokens", Access::kAuthenticated, Role::kAdmin,
      handle_create_enrollment_token);
  add(http::verb::delete_, "/api/v1/enrollment-tokens/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_revoke_enrollment_token);
  add(http::verb::get, "/api/v1/devices", Access::kAuthenticated, Role::kViewer,
      handle_list_devices);
  add(http::verb::get, "/api/v1/devices/{id}", Access::kAuthenticated, Role::kViewer,
      handle_get_device);
  // Owner and tags are inventory that technicians keep while working tickets; they grant
  // nothing, but a wrong owner sends one user's diagnostics onto another's ticket, so not L1.
  add(http::verb::patch, "/api/v1/devices/{id}", Access::kAuthenticated, Role::kTechnician,
      handle_update_device);
  add(http::verb::get, "/api/v1/devices/{id}/snapshots/latest", Access::kAuthenticated,
      Role::kViewer, handle_latest_snapshot);
  add(http::verb::get, "/api/v1/devices/{id}/history", Access::kAuthenticated, Role::kViewer,
      handle_device_history);
  add(http::verb::post, "/api/v1/devices/{id}/revoke", Access::kAuthenticated, Role::kAdmin,
      handle_revoke_device);
  add(http::verb::get, "/api/v1/devices/{id}/findings", Access::kAuthenticated, Role::kViewer,
      handle_device_findings);

  // Tickets. L1 (viewer) works the queue: reads, opens tickets, documents, escalates;
  // changing a ticket's fields and linking devices takes a technician.
  add(http::verb::post, "/api/v1/tickets", Access::kAuthenticated, Role::kViewer,
      handle_create_ticket);
  add(http::verb::get, "/api/v1/tickets", Access::kAuthenticated, Role::kViewer,
      handle_list_tickets);
  add(http::verb::get, "/api/v1/tickets/{id}", Access::kAuthenticated, Role::kViewer,
      handle_get_ticket);
  add(http::verb::patch, "/api/v1/tickets/{id}", Access::kAuthenticated, Role::kTechnician,
      handle_update_ticket);
  // Linking to a ticket of the helpdesk's own system sends it this ticket's diagnostics.
  add(http::verb::post, "/api/v1/tickets/{id}/external-links", Access::kAuthenticated,
      Role::kTechnician, handle_link_external_ticket);
  add(http::verb::post, "/api/v1/tickets/{id}/notes", Access::kAuthenticated, Role::kViewer,
      handle_add_note);
  add(http::verb::post, "/api/v1/tickets/{id}/time", Access::kAuthenticated, Role::kViewer,
      handle_add_time);
  add(http::verb::post, "/api/v1/tickets/{id}/escalate", Access::kAuthenticated, Role::kViewer,
      handle_escalate);
  add(http::verb::post, "/api/v1/tickets/{id}/devices", Access::kAuthenticated, Role::kTechnician,
      handle_link_device);
  add(http::verb::post, "/api/v1/tickets/{id}/diagnostics", Access::kAuthenticated,
      Role::kTechnician, handle_refresh_diagnostics);
  add(http::verb::get, "/api/v1/tickets/{id}/attachments/{aid}", Access::kAuthenticated,
      Role::kViewer, handle_get_attachment);
  // An external helpdesk mirrors its tickets here (API tokens only; see the handler).
  add(http::verb::post, "/api/v1/integrations/tickets", Access::kAuthenticated, Role::kTechnician,
      handle_integration_ticket);
  // Helpdesk connectors (Request Tracker): their credentials and delivery log are an admin's.
  add(http::verb::get, "/api/v1/connectors", Access::kAuthenticated, Role::kAdmin,
      handle_list_connectors);
  add(http::verb::post, "/api/v1/connectors", Access::kAuthenticated, Role::kAdmin,
      handle_create_connector);
  add(http::verb::get, "/api/v1/connectors/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_get_connector);
  add(http::verb::patch, "/api/v1/connectors/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_update_connector);
  add(http::verb::delete_, "/api/v1/connectors/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_delete_connector);
  add(http::verb::get, "/api/v1/connectors/{id}/deliveries", Access::kAuthenticated, Role::kAdmin,
      handle_list_connector_deliveries);
  // Outbound webhooks: subscriptions, their secrets and delivery log are an admin's.
  add(http::verb::get, "/api/v1/webhooks/event-types", Access::kAuthenticated, Role::kAdmin,
      handle_webhook_event_types);
  add(http::verb::get, "/api/v1/webhooks", Access::kAuthenticated, Role::kAdmin,
      handle_list_webhooks);
  add(http::verb::post, "/api/v1/webhooks", Access::kAuthenticated, Role::kAdmin,
      handle_create_webhook);
  add(http::verb::get, "/api/v1/webhooks/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_get_webhook);
  add(http::verb::patch, "/api/v1/webhooks/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_update_webhook);
  add(http::verb::delete_, "/api/v1/webhooks/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_delete_webhook);
  add(http::verb::post, "/api/v1/webhooks/{id}/secret", Access::kAuthenticated, Role::kAdmin,
      handle_rotate_webhook_secret);
  add(http::verb::post, "/api/v1/webhooks/{id}/ping", Access::kAuthenticated, Role::kAdmin,
      handle_ping_webhook);
  add(http::verb::get, "/api/v1/webhooks/{id}/deliveries", Access::kAuthenticated, Role::kAdmin,
      handle_list_webhook_deliveries);
  add(http::verb::get, "/api/v1/webhooks/{id}/deliveries/{did}", Access::kAuthenticated,
      Role::kAdmin, handle_get_webhook_delivery);
  add(http::verb::post, "/api/v1/webhooks/{id}/deliveries/{did}/redeliver", Access::kAuthenticated,
      Role::kAdmin, handle_redeliver_webhook);
  add(http::verb::get, "/api/v1/findings", Access::kAuthenticated, Role::kViewer,
      handle_fleet_findings);
  add(http::verb::get, "/api/v1/findings/rules", Access::kAuthenticated, Role::kViewer,
      handle_finding_rules);
  // Problems: one incident behind many tickets. Coordinating them takes a technician.
  add(http::verb::get, "/api/v1/problems", Access::kAuthenticated, Role::kViewer,
      handle_list_problems);
  add(http::verb::post, "/api/v1/problems", Access::kAuthenticated, Role::kTechnician,
      handle_open_problem);
  add(http::verb::get, "/api/v1/problems/{id}", Access::kAuthenticated, Role::kViewer,
      handle_get_problem);
  add(http::verb::patch, "/api/v1/problems/{id}", Access::kAuthenticated, Role::kTechnician,
      handle_update_problem);
  add(http::verb::post, "/api/v1/problems/{id}/tickets", Access::kAuthenticated, Role::kTechnician,
      handle_link_problem_ticket);
  add(http::verb::delete_, "/api/v1/problems/{id}/tickets/{ticket_id}", Access::kAuthenticated,
      Role::kTechnician, handle_unlink_problem_ticket);
  // Remediation actions. Requesting needs a technician (high risk: senior, checked per
  // action); approving or rejecting needs a senior who is not the requester.
  add(http::verb::get, "/api/v1/actions", Access::kAuthenticated, Role::kViewer,
      handle_list_actions);
  // Custom actions: an admin proposes a change, a second person (senior or admin, not the
  // proposer) approves it before it is in force.
  add(http::verb::post, "/api/v1/actions", Access::kAuthenticated, Role::kAdmin,
      handle_create_action);
  add(http::verb::get, "/api/v1/actions/proposals", Access::kAuthenticated, Role::kSenior,
      handle_list_catalog_proposals);
  add(http::verb::get, "/api/v1/actions/proposals/{id}", Access::kAuthenticated, Role::kSenior,
      handle_get_catalog_proposal);
  add(http::verb::post, "/api/v1/actions/proposals/{id}/approve", Access::kAuthenticated,
      Role::kSenior, handle_approve_catalog_proposal);
  add(http::verb::post, "/api/v1/actions/proposals/{id}/reject", Access::kAuthenticated,
      Role::kSenior, handle_reject_catalog_proposal);
  add(http::verb::put, "/api/v1/actions/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_update_action);
  add(http::verb::delete_, "/api/v1/actions/{id}", Access::kAuthenticated, Role::kAdmin,
      handle_delete_action);
  add(http::verb::post, "/api/v1/tickets/{id}/actions", Access::kAuthenticated, Role::kTechnician,
      handle_request_action);
  add(http::verb::get, "/api/v1/tickets/{id}/orders", Access::kAuthenticated, Role::kViewer,
      handle_ticket_orders);
  add(http::verb::get, "/api/v1/orders", Access::kAuthenticated, Role::kTechnician,
      handle_list_orders);
  add(http::verb::get, "/api/v1/orders/{id}", Access::kAuthenticated, Role::kViewer,
      handle_get_order);
  add(http::verb::post, "/api/v1/orders/{id}/approve", Access::kAuthenticated, Role::kSenior,
      handle_approve_order);
  add(http::verb::post, "/api/v1/orders/{id}/reject", Access::kAuthenticated, Role::kSenior,
      handle_reject_order);
  add(http::verb::post, "/api/v1/orders/{id}/cancel", Access::kAuthenticated, Role::kTechnician,
      handle_cancel_order);
  // Diagnostic probes: read-only, no approval; who may run them is checked by the service
  // (technicians, and viewers when the configuration says so).
  add(http::verb::get, "/api/v1/probes", Access::kAuthenticated, Role::kViewer,
      handle_probe_catalog);
  add(http::verb::post, "/api/v1/devices/{id}/probes", Access::kAuthenticated, Role::kViewer,
      handle_run_probe);
  add(http::verb::get, "/api/v1/probes/{id}", Access::kAuthenticated, Role::kViewer,
      handle_get_probe);
  add(http::verb::get, "/api/v1/devices/{id}/probes", Access::kAuthenticated, Role::kViewer,
      handle_device_probes);
  // Live views: read-only like probes, the same roles (checked by the service).
  add(http::verb::post, "/api/v1/devices/{id}/live", Access::kAuthenticated, Role::kViewer,
      handle_open_live);
  add(http::verb::get, "/api/v1/live/{id}", Access::kAuthenticated, Role::kViewer, handle_get_live);
  add(http::verb::post, "/api/v1/live/{id}/extend", Access::kAuthenticated, Role::kViewer,
      handle_extend_live);
  add(http::verb::post, "/api/v1/live/{id}/stop", Access::kAuthenticated, Role::kViewer,
      handle_stop_live);
  add(http::verb::get, "/api/v1/tickets/{id}/live", Access::kAuthenticated, Role::kViewer,
      handle_ticket_live);
  // Operating the collector: its log levels per subsystem, at runtime.
  add(http::verb::get, "/api/v1/admin/log-levels", Access::kAuthenticated, Role::kAdmin,
      handle_get_log_levels);
  add(http::verb::put, "/api/v1/admin/log-levels", Access::kAuthenticated, Role::kAdmin,
      handle_put_log_levels);
  return routes;
}

HttpResponse api_error_response(const ApiError& error) {
  if (error.status) {
    auto res = error_response(*error.status, error.code, error.error.message);
    for (const auto& [field, value] : error.headers) res.set(field, value);
    return res;
  }
  switch (error.error.code) {
    case ErrorCode::kInvalid:
      return error_response(http::status::bad_request, "invalid_request", error.error.message);
    case ErrorCode::kNotFound:
      return error_response(http::status::not_found, "not_found", error.error.message);
    case ErrorCode::kConflict:
      return error_response(http::status::conflict, "conflict", error.error.message);
    case ErrorCode::kDenied:
      return error_response(http::status::forbidden, "forbidden", error.error.message);
    case ErrorCode::kUnavailable:
      return error_response(http::status::service_unavailable, "unavailable", error.error.message);
    case ErrorCode::kFailed:
      break;
  }
  return error_response(http::status::internal_server_error, "internal",
                        "internal error; see the collector log");
}

HttpResponse answer(const HttpRequest& request, const std::function<ApiResult()>& call) {
  // The path only: a query string can carry tokens.
  auto where = [&request] {
    std::string_view target = request.target();
    return std::string(request.method_string()) + " " +
           log_safe(target.substr(0, target.find('?')));
  };
  try {
    auto result = call();
    if (result) return std::move(*result);
    auto res = api_error_response(result.error());
    if (res.result() == http::status::internal_server_error) {
      logs::api().error("{}: {}", where(), log_safe(result.error().error.message));
    }
    return res;
  } catch (const std::exception& e) {
    logs::api().error("{}: {}", where(), e.what());
  } catch (...) {
    // Anything else would leave the worker thread and end the collector.
    logs::api().error("{}: an exception that is not a std::exception", where());
  }
  return error_response(http::status::internal_server_error, "internal",
                        "internal error; see the collector log");
}

ApiRouter::ApiRouter(ApiServices services, std::vector<RouteSpec> routes)
    : services_(std::move(services)) {
  if (!services_.login_guard) {
    services_.login_guard =
        std::make_shared<LoginGuard>(services_.settings.login, services_.directory);
  }
  for (auto& spec : routes) {
    routes_.push_back(
        Route{spec.method, split_path(spec.pattern), spec.access, spec.min_role, spec.handler});
  }
}

HttpResponse ApiRouter::handle(const HttpRequest& request, const transport::PeerIdentity& peer) {
  return answer(request, [&] { return dispatch(request, peer); });
}

ApiResult ApiRouter::dispatch(const HttpRequest& request, const transport::PeerIdentity& peer) {
  std::string_view target = request.target();
  auto qmark = target.find('?');
  auto segments = split_path(target.substr(0, qmark));
  ApiRequest api{request, peer, {}, {}, std::nullopt, std::nullopt};
  if (qmark != std::string_view::npos) api.query = parse_query(target.substr(qmark + 1));

  bool path_matched = false;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      const auto& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        params[want.substr(1, want.size() - 2)] = percent_decode(segments[i]);
      } else {
        match = want == segments[i];
      }
    }
    if (!match) continue;
    path_matched = true;
    if (route.method != request.method()) continue;
    api.path_params = std::move(params);
    if (route.access == Access::kAuthenticated) {
      const auto cookies = joined_cookies(request);
      const auto now = std::chrono::system_clock::now();
      auto auth = authenticate(
          services_.store,
          Credentials{request[http::field::authorization], cookies, request["X-CSRF-Token"],
                      is_unsafe_method(request.method_string())},
          now);
      if (!auth) {
        const auto& refusal = auth.error();
        if (refusal.kind == AuthRefusalKind::kError) return tl::unexpected(refusal.error);
        if (refusal.kind == AuthRefusalKind::kCsrf) {
          services_.metrics.refusal("csrf").Increment();
          return refuse(http::status::forbidden, "csrf", refusal.error.message);
        }
        auto challenge = unauthorized(refusal.error.message);
        challenge.value().headers.emplace_back(http::field::www_authenticate, "Bearer");
        return challenge;
      }
      if (auth->user.source == UserSource::kLdap) {
        // The directory vouches for its users again once their last check is old enough.
        auto confirmed = recheck_directory_user(services_, api, auth->user, now);
        if (!confirmed) return tl::unexpected(std::move(confirmed.error()));
        auth->user = std::move(*confirmed);
      }
      if (auth->user.must_change_password &&
          !allowed_before_password_change(route.method, route.segments)) {
        return refuse(http::status::forbidden, "password_change_required",
                      "you must set a new password before anything else: POST "
                      "/api/v1/me/password {current_password, new_password}");
      }
      // The directory's users sign in by its rules: TOTP is for local accounts.
      if (services_.settings.login.require_totp_for_admins && auth->user.role == Role::kAdmin &&
          auth->user.source == UserSource::kLocal && auth->user.totp_secret.empty() &&
          !allowed_before_totp(route.method, route.segments)) {
        return refuse(http::status::forbidden, "totp_enrollment_required",
                      "admins need a second factor here: enroll one with POST /api/v1/me/totp "
                      "{current_password}, then POST /api/v1/me/totp/confirm {code}");
      }
      if (!role_allows(auth->user.role, route.min_role)) {
        return fail(ErrorCode::kDenied, std::string("this needs the ") + role_name(route.min_role) +
                                            " role; you are " + role_name(auth->user.role));
      }
      api.user = auth->user;
      api.auth = std::move(*auth);
    }
    return route.handler(services_, api);
  }
  if (path_matched) {
    return refuse(http::status::method_not_allowed, "method_not_allowed",
                  "method not allowed on this path");
  }
  return fail(ErrorCode::kNotFound, "no such endpoint");
}

}  // namespace triage::collector
