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

}  // namespace triage::collector
