#include "collector/api/enroll_api.hpp"

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/auth/client_key.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::collector {

ApiResult handle_enroll(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http);
  if (!body) return tl::unexpected(body.error());
  // Unknown fields are ignored (newer agents may send more); wrong types are refused.
  FieldErrors errors;
  EnrollmentRequest enroll;
  enroll.token = errors.take(string_field(*body, "token", true)).value_or("");
  enroll.csr_pem = errors.take(string_field(*body, "csr", true)).value_or("");
  enroll.hostname = errors.take(string_field(*body, "hostname", false)).value_or("");
  enroll.source = request.peer.remote_address;
  if (errors.first) return tl::unexpected(*errors.first);
  auto result = services.enrollment.enroll(enroll, std::chrono::system_clock::now());
  if (!result) {
    logs::api().warn("enrollment from {} refused: {}", request.peer.remote_address,
                     result.error().message);
    if (result.error().code == ErrorCode::kDenied) {
      // A wrong or used-up token: someone may be guessing. Limited per address.
      auto event = request_audit_event(request, "enrollment.refused", "");
      event.outcome = AuditOutcome::kDenied;
      event.details["reason"] = result.error().message;
      services.audit.record_limited("enroll:" + client_key(request.peer.remote_address), event);
      return unauthorized(result.error().message);
    }
    return tl::unexpected(result.error());
  }
  logs::api().info("device {} ({}) enrolled from {}", result->device_id, log_safe(enroll.hostname),
                   request.peer.remote_address);
  nlohmann::json answer = {{"device_id", result->device_id},
                           {"certificate", result->certificate_pem},
                           {"ca", result->ca_pem}};
  if (!result->order_signing_key_pem.empty()) {
    answer["order_signing_key"] = result->order_signing_key_pem;
  }
  return json_response(http::status::created, answer);
}

}  // namespace triage::collector
