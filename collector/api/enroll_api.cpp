#include "collector/api/enroll_api.hpp"

#include <spdlog/spdlog.h>

namespace triage::collector {

HttpResponse handle_enroll(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http);
  if (!body) return error_response(body.error());
  EnrollmentRequest enroll;
  enroll.token = body->value("token", "");
  enroll.csr_pem = body->value("csr", "");
  enroll.hostname = body->value("hostname", "");
  auto result = services.enrollment.enroll(enroll, std::chrono::system_clock::now());
  if (!result) {
    spdlog::warn("enrollment from {} refused: {}", request.peer.remote_address,
                 result.error().message);
    if (result.error().code == ErrorCode::kDenied) {
      return error_response(http::status::unauthorized, "unauthorized", result.error().message);
    }
    return error_response(result.error());
  }
  spdlog::info("device {} ({}) enrolled from {}", result->device_id, enroll.hostname,
               request.peer.remote_address);
  return json_response(http::status::created, {{"device_id", result->device_id},
                                               {"certificate", result->certificate_pem},
                                               {"ca", result->ca_pem}});
}

}  // namespace triage::collector
