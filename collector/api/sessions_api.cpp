#include "collector/api/sessions_api.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "collector/api/audit_api.hpp"
#include "collector/auth/accounts.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

nlohmann::json session_json(const ApiSession& s, const ApiRequest& request) {
  const auto& auth = *request.auth;
  return {{"id", s.id()},
          {"created_at", format_rfc3339(s.created_at)},
          {"last_seen_at", format_rfc3339(s.last_seen_at.value_or(s.created_at))},
          {"expires_at", format_rfc3339(s.expires_at)},
          {"source", s.source},
          {"user_agent", s.user_agent},
          {"method", s.method},
          {"kind", session_kind_name(s.kind)},
          {"current", auth.kind != AuthKind::kApiToken && s.token_hash == auth.session_hash}};
}

ApiResult list_sessions_of(ApiServices& services, const ApiRequest& request, const User& user) {
  auto sessions =
      services.store.read().auth().list_sessions(user.id, std::chrono::system_clock::now());
  if (!sessions) return tl::unexpected(sessions.error());
  auto list = nlohmann::json::array();
  for (const auto& s : *sessions) list.push_back(session_json(s, request));
  return json_response(http::status::ok, {{"user", user.name}, {"sessions", list}});
}

// Ids are 16 hex digits; anything else names no session.
bool valid_session_id(std::string_view id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
           return std::isdigit(c) != 0 || (c >= 'a' && c <= 'f');
         });
}

ApiResult revoke_session_of(ApiServices& services, ApiRequest& request, const User& user) {
  const auto& id = request.path_params["id"];
  if (!valid_session_id(id)) return fail(ErrorCode::kNotFound, "no such session");
  bool found = false;
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto deleted = tx.auth().delete_user_session(user.id, id);
    if (!deleted) return tl::unexpected(deleted.error());
    if (!*deleted) return fail(ErrorCode::kNotFound, "no such session");
    found = true;
    auto event = request_audit_event(request, "session.revoked", "session:" + id);
    event.details["user"] = user.name;
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("session {} of user {} ended by {}", id, user.name, request.user->name);
  return json_response(http::status::ok, {{"id", id}, {"revoked", found}});
}

Result<User> named_user(ApiServices& services, ApiRequest& request) {
  const auto& name = request.path_params["name"];
  if (!valid_user_name(name)) return fail(ErrorCode::kNotFound, "no such user");
  auto found = services.store.read().auth().find_user_by_name(name);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return fail(ErrorCode::kNotFound, "no user named " + name);
  return std::move(**found);
}

}  // namespace

ApiResult handle_list_own_sessions(ApiServices& services, ApiRequest& request) {
  return list_sessions_of(services, request, *request.user);
}

ApiResult handle_revoke_own_session(ApiServices& services, ApiRequest& request) {
  return revoke_session_of(services, request, *request.user);
}

ApiResult handle_list_user_sessions(ApiServices& services, ApiRequest& request) {
  auto user = named_user(services, request);
  if (!user) return tl::unexpected(user.error());
  return list_sessions_of(services, request, *user);
}

ApiResult handle_revoke_user_session(ApiServices& services, ApiRequest& request) {
  auto user = named_user(services, request);
  if (!user) return tl::unexpected(user.error());
  return revoke_session_of(services, request, *user);
}

}  // namespace triage::collector
