#include "collector/api/totp_api.hpp"

#include <spdlog/spdlog.h>

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/api/password_proof.hpp"
#include "collector/auth/recovery_codes.hpp"
#include "collector/auth/totp.hpp"

namespace triage::collector {

namespace {

constexpr std::string_view kIssuer = "triage";

// A second factor is the person's own: set up and removed from a session they opened with
// their password, never through an API token (which may sit in a script) or a service account.
Result<void> require_person_session(const ApiRequest& request) {
  const auto& auth = *request.auth;
  if (auth.user.kind != UserKind::kPerson) {
    return fail(ErrorCode::kDenied, "a service account has no second factor");
  }
  if (auth.user.source == UserSource::kLdap) {
    return fail(ErrorCode::kDenied,
                "you sign in with the company directory: its own sign-in policy (and second "
                "factor, if any) applies, not one kept here");
  }
  if (auth.kind == AuthKind::kApiToken) {
    return fail(ErrorCode::kDenied,
                "a second factor is managed from a signed-in session, not with an API token");
  }
  return {};
}

// The current password (checked like a login), so a session left open on someone's screen
// cannot change how its owner signs in.
tl::expected<void, ApiError> prove_password(ApiServices& services, const ApiRequest& request) {
  auto body = parse_json_body(request.http, {"current_password"});
  if (!body) return tl::unexpected(ApiError(body.error()));
  auto current = string_field(*body, "current_password", true);
  if (!current) return tl::unexpected(ApiError(current.error()));
  return prove_current_password(services, request, **current);
}

}  // namespace

ApiResult handle_begin_totp(ApiServices& services, ApiRequest& request) {
  if (auto r = require_person_session(request); !r) return tl::unexpected(r.error());
  if (auto proven = prove_password(services, request); !proven) {
    return tl::unexpected(proven.error());
  }
  const auto& user = request.auth->user;
  const auto secret = new_totp_secret();
  if (auto r =
          services.store.write([&](WriteTx& tx) { return tx.auth().begin_totp(user.id, secret); });
      !r) {
    return tl::unexpected(r.error());
  }
  spdlog::info("user {} started enrolling a second factor", user.name);
  return json_response(http::status::ok, {{"secret", secret},
                                          {"otpauth_uri", otpauth_uri(kIssuer, user.name, secret)},
                                          {"digits", kTotpDigits},
                                          {"period_seconds", kTotpStep.count()}});
}

ApiResult handle_confirm_totp(ApiServices& services, ApiRequest& request) {
  if (auto r = require_person_session(request); !r) return tl::unexpected(r.error());
  auto body = parse_json_body(request.http, {"code"});
  if (!body) return tl::unexpected(body.error());
  auto code = string_field(*body, "code", true);
  if (!code) return tl::unexpected(code.error());
  auto stored = services.store.read().auth().find_user(request.auth->user.id);
  if (!stored) return tl::unexpected(stored.error());
  if (!*stored || (*stored)->totp_pending.empty()) {
    return fail(ErrorCode::kConflict,
                "no enrollment is waiting: start one with POST /api/v1/me/totp");
  }
  const User& user = **stored;
  auto key = base32_decode(user.totp_pending);
  if (!key) return fail(ErrorCode::kFailed, "the pending TOTP secret is not base32");
  const auto now = std::chrono::system_clock::now();
  auto step = match_totp(*key, **code, now);
  if (!step) {
    return fail(ErrorCode::kInvalid,
                "wrong code: type the 6 digits the app shows now (and check the device's clock)");
  }
  const auto codes = new_recovery_codes();
  std::vector<std::string> hashes;
  for (const auto& c : codes) hashes.push_back(*recovery_code_hash(c));
  const bool replaced = !user.totp_secret.empty();
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.auth().activate_totp(user.id, user.totp_pending, *step, hashes); !r) {
      return tl::unexpected(r.error());
    }
    auto event = request_audit_event(request, "user.totp_enabled", "user:" + user.name);
    event.details["replaced"] = replaced;
    event.details["recovery_codes"] = static_cast<int>(codes.size());
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("user {} {} a second factor", user.name, replaced ? "replaced" : "enabled");
  return json_response(http::status::ok, {{"totp_enabled", true}, {"recovery_codes", codes}});
}

ApiResult handle_remove_totp(ApiServices& services, ApiRequest& request) {
  if (auto r = require_person_session(request); !r) return tl::unexpected(r.error());
  const auto& user = request.auth->user;
  if (services.settings.login.require_totp_for_admins && user.role == Role::kAdmin) {
    return fail(ErrorCode::kDenied,
                "admins must keep a second factor here ([auth] require_totp_for_admins): enroll "
                "a new one with POST /api/v1/me/totp instead");
  }
  if (auto proven = prove_password(services, request); !proven) {
    return tl::unexpected(proven.error());
  }
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.auth().remove_totp(user.id); !r) return tl::unexpected(r.error());
    return request_audit_event(request, "user.totp_removed", "user:" + user.name);
  });
  if (!audited) return tl::unexpected(audited.error());
  spdlog::info("user {} removed their second factor", user.name);
  return json_response(http::status::ok, {{"totp_enabled", false}});
}

}  // namespace triage::collector
