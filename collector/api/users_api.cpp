#include "collector/api/users_api.hpp"

#include <charconv>

#include <spdlog/spdlog.h>

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/auth/accounts.hpp"
#include "collector/auth/lockout.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

nlohmann::json user_json(const User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"role", role_name(u.role)},
          {"disabled", u.disabled},
          {"kind", user_kind_name(u.kind)},
          {"source", user_source_name(u.source)},
          {"password_change_required", u.must_change_password},
          {"totp_enabled", !u.totp_secret.empty()},
          {"created_at", format_rfc3339(u.created_at)}};
}

Result<std::optional<Role>> role_field(const nlohmann::json& body, bool required) {
  auto text = string_field(body, "role", required);
  if (!text) return tl::unexpected(text.error());
  if (!*text) return std::optional<Role>();
  auto role = parse_role(**text);
  if (!role) {
    return fail(ErrorCode::kInvalid,
                "field `role` must be one of viewer, technician, senior, admin");
  }
  return role;
}

bool is_enabled_admin(const User& u) { return u.role == Role::kAdmin && !u.disabled; }

}  // namespace

ApiResult handle_list_users(ApiServices& services, ApiRequest&) {
  auto users = services.store.read().auth().list_users();
  if (!users) return tl::unexpected(users.error());
  const auto now = std::chrono::system_clock::now();
  auto list = nlohmann::json::array();
  for (const auto& u : *users) {
    auto j = user_json(u);
    auto throttle = services.store.read().auth().find_login_throttle(u.name);
    if (!throttle) return tl::unexpected(throttle.error());
    auto left = *throttle ? lockout_remaining(**throttle, now) : std::nullopt;
    j["locked_until"] =
        left ? nlohmann::json(format_rfc3339((*throttle)->locked_until)) : nlohmann::json(nullptr);
    list.push_back(std::move(j));
  }
  return json_response(http::status::ok, {{"users", list}});
}

ApiResult handle_create_user(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http, {"name", "role", "password", "kind"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto name = errors.take(string_field(*body, "name", true));
  auto role = errors.take(role_field(*body, true));
  auto kind_text = errors.take(string_field(*body, "kind", false));
  if (errors.first) return tl::unexpected(*errors.first);
  auto kind = parse_user_kind(kind_text.value_or("person"));
  if (!kind) {
    return fail(ErrorCode::kInvalid, "field `kind` must be \"person\" or \"service\"");
  }
  const bool service = *kind == UserKind::kService;
  auto password = string_field(*body, "password", !service);
  if (!password) return tl::unexpected(password.error());
  if (service && *password) {
    return fail(ErrorCode::kInvalid,
                "a service account has no password: it signs in with API tokens");
  }
  // The password is hashed first: the audited transaction holds the write lock.
  const auto now = std::chrono::system_clock::now();
  auto created =
      service ? new_service_account(*name, *role, now) : new_user(*name, *role, **password, now);
  if (!created) return tl::unexpected(created.error());
  // The admin chose this password: its owner replaces it before doing anything else.
  created->must_change_password = !service;
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto id = tx.auth().insert_user(*created);
    if (!id) return tl::unexpected(id.error());
    created->id = *id;
    auto event = request_audit_event(request, "user.created", "user:" + created->name);
    event.details["role"] = role_name(created->role);
    event.details["kind"] = user_kind_name(created->kind);
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("{} {} ({}) created by {}", service ? "service account" : "user", created->name,
               role_name(created->role), request.user->name);
  return json_response(http::status::created, user_json(*created));
}

ApiResult handle_update_user(ApiServices& services, ApiRequest& request) {
  auto parsed_id = numeric_path_param(request, "id", "user");
  if (!parsed_id) return tl::unexpected(parsed_id.error());
  const std::int64_t id = *parsed_id;
  auto body = parse_json_body(request.http, {"role", "disabled", "password_change_required"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  UserUpdate update;
  update.role = errors.take(role_field(*body, false));
  update.disabled = errors.take(bool_field(*body, "disabled"));
  update.must_change_password = errors.take(bool_field(*body, "password_change_required"));
  if (errors.first) return tl::unexpected(*errors.first);
  if (!update.role && !update.disabled && !update.must_change_password) {
    return fail(ErrorCode::kInvalid,
                "nothing to change: give `role`, `disabled` and/or `password_change_required`");
  }

  auto current = services.store.read().auth().find_user(id);
  if (!current) return tl::unexpected(current.error());
  if (!*current) return fail(ErrorCode::kNotFound, "no such user");
  if ((*current)->kind == UserKind::kService) {
    if (update.role == Role::kAdmin) {
      return fail(ErrorCode::kInvalid, "a service account cannot have the admin role");
    }
    if (update.must_change_password) {
      return fail(ErrorCode::kInvalid, "a service account has no password to reset");
    }
  }
  if ((*current)->source == UserSource::kLdap) {
    // The directory's groups decide, at each sign-in and recheck: a role set here would not last.
    if (update.role) {
      return fail(ErrorCode::kInvalid,
                  "the role of a company directory user comes from their directory groups "
                  "([auth.ldap] role_groups): change their groups in the directory");
    }
    if (update.must_change_password) {
      return fail(ErrorCode::kInvalid,
                  "a company directory user has no password here: the directory holds it");
    }
  }
  User after = **current;
  if (update.role) after.role = *update.role;
  if (update.disabled) after.disabled = *update.disabled;
  // Someone must be able to administer the collector afterwards. (Two admins demoting each
  // other at the same instant can still race past this; the CLI can always add an admin.)
  if (is_enabled_admin(**current) && !is_enabled_admin(after)) {
    auto users = services.store.read().auth().list_users();
    if (!users) return tl::unexpected(users.error());
    int admins = 0;
    for (const auto& u : *users) admins += is_enabled_admin(u) ? 1 : 0;
    if (admins <= 1) {
      return fail(ErrorCode::kConflict, "user " + after.name + " is the last enabled admin");
    }
  }
  Result<User> updated = fail("not updated");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    updated = tx.auth().update_user(id, update, std::chrono::system_clock::now());
    if (!updated) return tl::unexpected(updated.error());
    auto event = request_audit_event(request, "user.updated", "user:" + updated->name);
    if (update.role) {
      event.details["role"] = {{"from", role_name((*current)->role)},
                               {"to", role_name(updated->role)}};
    }
    if (update.disabled) {
      event.details["disabled"] = {{"from", (*current)->disabled}, {"to", updated->disabled}};
    }
    if (update.must_change_password) {
      event.details["password_change_required"] = {{"from", (*current)->must_change_password},
                                                   {"to", updated->must_change_password}};
    }
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("user {} updated by {}: role {}, {}", updated->name, request.user->name,
               role_name(updated->role), updated->disabled ? "disabled" : "enabled");
  return json_response(http::status::ok, user_json(*updated));
}

ApiResult handle_reset_password(ApiServices& services, ApiRequest& request) {
  const auto& name = request.path_params["name"];
  if (!valid_user_name(name)) return fail(ErrorCode::kNotFound, "no such user");
  auto found = services.store.read().auth().find_user_by_name(name);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return fail(ErrorCode::kNotFound, "no user named " + name);
  const User& target = **found;
  if (target.kind != UserKind::kPerson) {
    return fail(ErrorCode::kInvalid, "a service account has no password to reset");
  }
  if (target.source == UserSource::kLdap) {
    return fail(ErrorCode::kInvalid,
                "a company directory user has no password here: reset it in the directory");
  }
  if (target.id == request.user->id) {
    return fail(ErrorCode::kInvalid,
                "change your own password with POST /api/v1/me/password {current_password, "
                "new_password}");
  }
  // Generated here and shown once: the admin hands it over and its owner replaces it at the
  // next sign-in (every request but the password change is refused until then).
  const std::string temporary = generate_password();
  auto hash = pki::hash_password(temporary);
  if (!hash) return tl::unexpected(hash.error());
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.auth().reset_password(target.id, *hash); !r) return tl::unexpected(r.error());
    auto event = request_audit_event(request, "user.password_reset", "user:" + target.name);
    event.details["sessions"] = "ended";
    event.details["api_tokens"] = "kept";
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("password of user {} reset by {}; their sessions ended", target.name,
               request.user->name);
  auto after = target;
  after.must_change_password = true;
  return json_response(http::status::ok,
                       {{"user", user_json(after)}, {"temporary_password", temporary}});
}

}  // namespace triage::collector
