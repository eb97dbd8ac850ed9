#include "collector/api/json_response.hpp"

namespace triage::collector {

HttpResponse json_response(http::status status, const nlohmann::json& body) {
  HttpResponse res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.prepare_payload();
  return res;
}

HttpResponse error_response(http::status status, std::string_view code, std::string_view message) {
  return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse error_response(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalid:
      return error_response(http::status::bad_request, "invalid_request", error.message);
    case ErrorCode::kNotFound:
      return error_response(http::status::not_found, "not_found", error.message);
    case ErrorCode::kConflict:
      return error_response(http::status::conflict, "conflict", error.message);
    case ErrorCode::kDenied:
      return error_response(http::status::forbidden, "forbidden", error.message);
    case ErrorCode::kUnavailable:
      return error_response(http::status::service_unavailable, "unavailable", error.message);
    case ErrorCode::kFailed:
      break;
  }
  return error_response(http::status::internal_server_error, "internal",
                        "internal error; see the collector log");
}

}  // namespace triage::collector
