#include "collector/api/auth_api.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/api/password_proof.hpp"
#include "collector/auth/accounts.hpp"
#include "collector/auth/api_tokens.hpp"
#include "collector/auth/client_key.hpp"
#include "collector/auth/cookies.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/util/log_safe.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

nlohmann::json user_summary(const User& user) {
  return {{"id", user.id},
          {"name", user.name},
          {"role", role_name(user.role)},
          {"kind", user_kind_name(user.kind)},
          {"source", user_source_name(user.source)},
          {"password_change_required", user.must_change_password},
          {"totp_enabled", !user.totp_secret.empty()}};
}

tl::unexpected<Error> forbidden(std::string message) {
  return fail(ErrorCode::kDenied, std::move(message));
}

nlohmann::json optional_time(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json token_json(const ApiToken& t, TimePoint now) {
  return {{"id", t.id},
          {"user", t.user_name},
          {"name", t.name},
          {"created_at", format_rfc3339(t.created_at)},
          {"created_by", t.created_by},
          {"expires_at", format_rfc3339(t.expires_at)},
          {"last_used_at", optional_time(t.last_used_at)},
          {"revoked_at", optional_time(t.revoked_at)},
          {"active", !t.revoked_at && t.expires_at > now}};
}

bool is_json_content(const HttpRequest& request) {
  std::string_view type = request[http::field::content_type];
  auto semicolon = type.find(';');
  type = type.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type.size() == 16 &&
         std::equal(type.begin(), type.end(), "application/json", [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// The claimed name only when such a user exists: an unknown "name" may be a password typed
// into the wrong field, and the audit log never holds secrets.
std::string claimed_user(Store& store, std::string_view name) {
  if (!valid_user_name(name)) return "(unknown)";
  auto user = store.read().auth().find_user_by_name(name);
  if (user && *user) return (*user)->name;
  return "(unknown)";
}

void audit_refused_login(ApiServices& services, const ApiRequest& request, std::string_view name,
                         const LoginRefusal& refusal, std::string_view client) {
  const auto actor = claimed_user(services.store, name);
  auto event = request_audit_event(request, "", "user:" + actor);
  event.actor = actor;
  event.actor_kind = AuditActorKind::kAnonymous;
  event.outcome = AuditOutcome::kDenied;
  if (refusal.method == "ldap" && services.login_guard->directory() != nullptr) {
    event.details["method"] = "ldap";
    event.details["directory"] = services.login_guard->directory()->source();
  }
  switch (refusal.reason) {
    case LoginRefusalReason::kNoRole:
      event.type = "auth.login.failed";
      event.details["reason"] = "in no group mapped to a role";
      (void)services.audit.record(event);
      return;
    case LoginRefusalReason::kDirectoryUnavailable:
      // Limited per name: a directory outage must not flood the audit log.
      event.type = "auth.login.failed";
      event.outcome = AuditOutcome::kFailure;
      event.details["reason"] = "directory unreachable";
      services.audit.record_limited("login-directory:" + actor, event);
      return;
    case LoginRefusalReason::kWrongCredentials:
      event.type = "auth.login.failed";
      event.outcome = AuditOutcome::kFailure;
      (void)services.audit.record(event);
      return;
    case LoginRefusalReason::kWrongSecondFactor:
      event.type = "auth.login.failed";
      event.outcome = AuditOutcome::kFailure;
      event.details["factor"] = "totp";
      event.details["reason"] = refusal.error.message;
      (void)services.audit.record(event);
      return;
    case LoginRefusalReason::kSecondFactorRequired:
      // Not a failure: the console asks for the code and signs in again.
      return;
    case LoginRefusalReason::kLockedNow:
      event.type = "auth.lockout";
      event.details["locked_seconds"] = refusal.retry_after.count();
      (void)services.audit.record(event);
      return;
    case LoginRefusalReason::kLocked:
      // Refused without a password check; a client hammering a locked name is limited.
      event.type = "auth.login.throttled";
      event.details["reason"] = "user name locked";
      services.audit.record_limited("login-locked:" + actor, event);
      return;
    case LoginRefusalReason::kThrottled:
      event.type = "auth.login.throttled";
      event.details["reason"] = "too many failed logins from this address";
      services.audit.record_limited("login-client:" + std::string(client), event);
      return;
    case LoginRefusalReason::kError:
      return;
  }
}

}  // namespace

ApiResult handle_login(ApiServices& services, ApiRequest& request) {
  // A cross-site HTML form can post text/plain that parses as JSON, but it cannot send
  // application/json without a CORS preflight, which this API never grants. This keeps other
  // sites from logging a browser into an account of their choosing.
  if (!is_json_content(request.http)) {
    return fail(ErrorCode::kInvalid, "Content-Type must be application/json");
  }
  auto body = parse_json_body(request.http, {"name", "password", "session", "totp_code"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto name = errors.take(string_field(*body, "name", true));
  auto password = errors.take(string_field(*body, "password", true));
  auto session = errors.take(string_field(*body, "session", false));
  auto totp_code = errors.take(string_field(*body, "totp_code", false));
  if (errors.first) return tl::unexpected(*errors.first);
  SessionKind kind = SessionKind::kBearer;
  if (session == "cookie") {
    kind = SessionKind::kCookie;
  } else if (session && *session != "bearer") {
    return fail(ErrorCode::kInvalid, "field `session` must be \"bearer\" or \"cookie\"");
  }

  const auto client = client_key(request.peer.remote_address);
  auto result = services.login_guard->login(
      services.store,
      LoginAttempt{*name, *password, client, kind, services.settings.session_ttl,
                   totp_code.value_or(""), request.peer.remote_address,
                   request.http[http::field::user_agent]},
      std::chrono::system_clock::now());
  if (!result) {
    const auto& refusal = result.error();
    audit_refused_login(services, request, *name, refusal, client);
    if (refusal.retry_after.count() > 0) {
      services.metrics.refusal("login_rate_limited").Increment();
      return rate_limited(refusal.error.message, refusal.retry_after);
    }
    if (refusal.reason == LoginRefusalReason::kSecondFactorRequired) {
      return refuse(http::status::unauthorized, "totp_required", refusal.error.message);
    }
    if (refusal.reason == LoginRefusalReason::kNoRole) {
      return refuse(http::status::forbidden, "no_role", refusal.error.message);
    }
    if (refusal.reason == LoginRefusalReason::kDirectoryUnavailable) {
      services.metrics.refusal("login_directory_unavailable").Increment();
      return refuse(http::status::service_unavailable, "directory_unavailable",
                    refusal.error.message);
    }
    if (refusal.error.code == ErrorCode::kDenied) {
      services.metrics.refusal("login_failed").Increment();
      // The name is bounded and cut: it may be a password typed into the wrong field.
      spdlog::warn("failed login for `{}` from {}", log_safe(*name, 64),
                   request.peer.remote_address);
      return unauthorized(refusal.error.message);
    }
    return tl::unexpected(refusal.error);
  }
  spdlog::info("user {} logged in ({}) from {}", result->user.name, session_kind_name(kind),
               request.peer.remote_address);
  // Recorded after the session is open, not in its transaction: the login path hashes a
  // password and must not hold the write lock meanwhile (see docs/security.md).
  auto event = request_audit_event(request, "auth.login.succeeded", "user:" + result->user.name);
  event.actor = result->user.name;
  event.actor_kind = AuditActorKind::kUser;
  event.details["session"] = session_kind_name(kind);
  event.details["method"] = result->method;
  if (result->method == "ldap" && services.login_guard->directory() != nullptr) {
    event.details["directory"] = services.login_guard->directory()->source();
    event.details["role"] = role_name(result->user.role);
    if (result->provisioned) event.details["provisioned"] = true;
    if (result->role_before) event.details["role_before"] = role_name(*result->role_before);
  }
  (void)services.audit.record(event);
  nlohmann::json out = {{"expires_at", format_rfc3339(result->expires_at)},
                        {"user", user_summary(result->user)}};
  if (kind == SessionKind::kBearer) {
    out["token"] = result->token;
    return json_response(http::status::ok, out);
  }
  out["csrf_token"] = result->csrf_token;
  auto res = json_response(http::status::ok, out);
  res.set(http::field::set_cookie, session_cookie(result->token, services.settings.session_ttl));
  return res;
}

ApiResult handle_logout(ApiServices& services, ApiRequest& request) {
  const auto& auth = *request.auth;
  if (auth.kind == AuthKind::kApiToken) {
    return fail(ErrorCode::kInvalid,
                "an API token has no session to end; an admin revokes it with "
                "DELETE /api/v1/auth/tokens/" +
                    auth.token_id);
  }
  auto logged_out = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.auth().delete_session(auth.session_hash); !r) {
      return tl::unexpected(r.error());
    }
    auto event = request_audit_event(request, "auth.logout", "user:" + auth.user.name);
    event.details["session"] = auth_kind_name(auth.kind);
    return event;
  });
  if (!logged_out) return tl::unexpected(logged_out.error());
  spdlog::info("user {} logged out ({})", auth.user.name, auth_kind_name(auth.kind));
  auto res = json_response(http::status::ok, {{"logged_out", true}});
  if (auth.kind == AuthKind::kCookie) res.set(http::field::set_cookie, expired_session_cookie());
  return res;
}

ApiResult handle_me(ApiServices& services, ApiRequest& request) {
  const auto& auth = *request.auth;
  nlohmann::json out = {{"user", user_summary(auth.user)},
                        {"auth", auth_kind_name(auth.kind)},
                        {"expires_at", format_rfc3339(auth.expires_at)}};
  if (!auth.user.totp_secret.empty()) {
    auto left = services.store.read().auth().count_recovery_codes(auth.user.id);
    if (!left) return tl::unexpected(left.error());
    out["recovery_codes_left"] = *left;
  }
  out["totp_required"] = services.settings.login.require_totp_for_admins &&
                         auth.user.role == Role::kAdmin && auth.user.totp_secret.empty() &&
                         auth.user.source == UserSource::kLocal;
  if (auth.kind == AuthKind::kApiToken) out["token_id"] = auth.token_id;
  out["credential"] = auth.credential();
  return json_response(http::status::ok, out);
}

ApiResult handle_create_api_token(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http, {"user", "name", "ttl_days"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto user = errors.take(string_field(*body, "user", false));
  auto label = errors.take(string_field(*body, "name", true));
  auto ttl_days = errors.take(integer_field(*body, "ttl_days", 1, kMaxApiTokenTtl.count() / 86400));
  if (errors.first) return tl::unexpected(*errors.first);
  const auto& caller = *request.user;
  const std::string target = user.value_or(caller.name);
  // A token in someone's hands acts as its user: whoever could mint one for another person
  // could act as them, and approve their own orders under a second name.
  if (request.auth->kind == AuthKind::kApiToken || caller.kind != UserKind::kPerson) {
    return forbidden("API tokens are minted from a signed-in session (a token cannot mint tokens)");
  }
  if (target != caller.name) {
    if (caller.role != Role::kAdmin) {
      return forbidden("API tokens are personal: you can mint one only for yourself");
    }
    auto found = services.store.read().auth().find_user_by_name(target);
    if (!found) return tl::unexpected(found.error());
    if (!*found) {
      return fail(ErrorCode::kNotFound, "no user named " + target);
    }
    if ((*found)->kind != UserKind::kService) {
      return forbidden("API tokens are personal: " + target +
                       " mints their own; an admin mints tokens only for service accounts");
    }
  }
  const auto ttl = ttl_days ? std::chrono::seconds(*ttl_days * 86400) : kDefaultApiTokenTtl;
  const auto now = std::chrono::system_clock::now();
  Result<CreatedApiToken> created = fail("not created");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    created = create_api_token(tx.auth(), target, *label, ttl, "user:" + caller.name, now);
    if (!created) return tl::unexpected(created.error());
    auto event =
        request_audit_event(request, "api_token.created", "api_token:" + created->record.id);
    event.details["user"] = created->record.user_name;
    event.details["name"] = created->record.name;
    event.details["expires_at"] = format_rfc3339(created->record.expires_at);
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("API token {} ({}) for user {} created by {}", created->record.id,
               created->record.name, created->record.user_name, caller.name);
  auto out = token_json(created->record, now);
  out["token"] = created->token;
  return json_response(http::status::created, out);
}

ApiResult handle_list_api_tokens(ApiServices& services, ApiRequest& request) {
  return services.store.read().auth().list_api_tokens().transform([&](const auto& tokens) {
    const auto now = std::chrono::system_clock::now();
    const bool all = request.user->role == Role::kAdmin;
    auto list = nlohmann::json::array();
    for (const auto& t : tokens) {
      if (all || t.user_id == request.user->id) list.push_back(token_json(t, now));
    }
    return json_response(http::status::ok, {{"tokens", list}});
  });
}

ApiResult handle_revoke_api_token(ApiServices& services, ApiRequest& request) {
  const auto& id = request.path_params["id"];
  if (id.size() != 12 || !std::all_of(id.begin(), id.end(), [](unsigned char c) {
        return std::isdigit(c) != 0 || (c >= 'a' && c <= 'f');
      })) {
    return fail(ErrorCode::kNotFound, "no such API token");
  }
  if (request.user->role != Role::kAdmin) {
    // Anyone may revoke their own tokens; only an admin anyone's. Others' ids stay unknown.
    auto tokens = services.store.read().auth().list_api_tokens();
    if (!tokens) return tl::unexpected(tokens.error());
    const bool own = std::any_of(tokens->begin(), tokens->end(), [&](const ApiToken& t) {
      return t.id == id && t.user_id == request.user->id;
    });
    if (!own) return fail(ErrorCode::kNotFound, "no such API token");
  }
  const auto now = std::chrono::system_clock::now();
  auto revoked = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.auth().revoke_api_token(id, now); !r) return tl::unexpected(r.error());
    return request_audit_event(request, "api_token.revoked", "api_token:" + id);
  });
  if (!revoked) return tl::unexpected(revoked.error());
  spdlog::info("API token {} revoked by {}", id, request.user->name);
  return json_response(http::status::ok, {{"id", id}, {"revoked", true}});
}

ApiResult handle_change_password(ApiServices& services, ApiRequest& request) {
  const auto& auth = *request.auth;
  if (auth.user.kind != UserKind::kPerson) {
    return forbidden("a service account has no password");
  }
  if (auth.user.source == UserSource::kLdap) {
    return forbidden("you sign in with the company directory: change your password there");
  }
  auto body = parse_json_body(request.http, {"current_password", "new_password"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto current = errors.take(string_field(*body, "current_password", true));
  auto next = errors.take(string_field(*body, "new_password", true));
  if (errors.first) return tl::unexpected(*errors.first);
  if (auto r = check_password_rules(*next, auth.user.name); !r) return tl::unexpected(r.error());
  if (*next == *current) {
    return fail(ErrorCode::kInvalid, "the new password must differ from the current one");
  }
  if (auto proven = prove_current_password(services, request, *current); !proven) {
    return tl::unexpected(proven.error());
  }
  // Hashed before the audited transaction, which holds the write lock.
  auto hash = pki::hash_password(*next);
  if (!hash) return tl::unexpected(hash.error());
  const std::string keep = auth.kind == AuthKind::kApiToken ? "" : auth.session_hash;
  auto changed = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.auth().set_password(auth.user.id, *hash, keep); !r) {
      return tl::unexpected(r.error());
    }
    auto event = request_audit_event(request, "user.password_changed", "user:" + auth.user.name);
    event.details["forced"] = auth.user.must_change_password;
    event.details["credential"] = auth.credential();
    return event;
  });
  if (!changed) return tl::unexpected(changed.error());
  spdlog::info("user {} changed their password{}", auth.user.name,
               auth.user.must_change_password ? " (required)" : "");
  auto after = auth.user;
  after.must_change_password = false;
  return json_response(http::status::ok, {{"changed", true}, {"user", user_summary(after)}});
}

}  // namespace triage::collector
