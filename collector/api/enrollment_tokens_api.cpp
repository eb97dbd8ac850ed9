#include "collector/api/enrollment_tokens_api.hpp"

#include <algorithm>

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/enrollment/enrollment_service.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

constexpr std::chrono::seconds kMaxTtl = std::chrono::hours(24 * 365);

const char* token_state(const EnrollmentToken& t, TimePoint now) {
  if (t.revoked_at) return "revoked";
  if (t.expires_at <= now) return "expired";
  if (t.uses >= t.max_uses) return "used";
  return "active";
}

nlohmann::json token_json(const EnrollmentToken& t, TimePoint now) {
  return {{"id", t.id},
          {"created_at", format_rfc3339(t.created_at)},
          {"created_by", t.created_by},
          {"expires_at", format_rfc3339(t.expires_at)},
          {"max_uses", t.max_uses},
          {"uses", t.uses},
          {"revoked_at",
           t.revoked_at ? nlohmann::json(format_rfc3339(*t.revoked_at)) : nlohmann::json(nullptr)},
          {"state", token_state(t, now)}};
}

}  // namespace

ApiResult handle_list_enrollment_tokens(ApiServices& services, ApiRequest&) {
  return services.store.read().devices().list_enrollment_tokens().transform([](const auto& tokens) {
    const auto now = std::chrono::system_clock::now();
    auto items = nlohmann::json::array();
    for (const auto& t : tokens) items.push_back(token_json(t, now));
    return json_response(http::status::ok, {{"items", items}});
  });
}

ApiResult handle_create_enrollment_token(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http, {"uses", "ttl"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto uses = errors.take(integer_field(*body, "uses", 1, 1'000'000));
  auto ttl_text = errors.take(string_field(*body, "ttl", false));
  if (errors.first) return tl::unexpected(*errors.first);
  const int max_uses = static_cast<int>(uses.value_or(1));
  auto ttl = parse_duration(ttl_text.value_or("24h"));
  if (!ttl) {
    return fail(ErrorCode::kInvalid, "`ttl` must be a duration such as 30m, 24h or 7d");
  }
  if (*ttl > kMaxTtl) {
    return fail(ErrorCode::kInvalid, "`ttl` must be at most 365d");
  }
  const auto now = std::chrono::system_clock::now();
  Result<CreatedToken> created = fail("not created");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    created =
        create_enrollment_token(tx.devices(), *ttl, max_uses, "user:" + request.user->name, now);
    if (!created) return tl::unexpected(created.error());
    auto event = request_audit_event(request, "enrollment_token.created",
                                     "enrollment_token:" + created->record.id);
    event.details["uses"] = max_uses;
    event.details["expires_at"] = format_rfc3339(created->record.expires_at);
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("enrollment token {} ({} use(s)) created by {}", created->record.id, max_uses,
                   request.user->name);
  auto out = token_json(created->record, now);
  out["token"] = created->token;
  return json_response(http::status::created, out);
}

ApiResult handle_revoke_enrollment_token(ApiServices& services, ApiRequest& request) {
  const auto& id = request.path_params["id"];
  if (id.size() != 12 || !std::all_of(id.begin(), id.end(), [](unsigned char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return fail(ErrorCode::kNotFound, "no such enrollment token");
  }
  const auto now = std::chrono::system_clock::now();
  auto revoked = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.devices().revoke_enrollment_token(id, now); !r) {
      return tl::unexpected(r.error());
    }
    return request_audit_event(request, "enrollment_token.revoked", "enrollment_token:" + id);
  });
  if (!revoked) return tl::unexpected(revoked.error());
  logs::api().info("enrollment token {} revoked by {}", id, request.user->name);
  return json_response(http::status::ok, {{"id", id}, {"revoked", true}});
}

}  // namespace triage::collector
