#include "collector/api/api_result.hpp"

namespace triage::collector {

tl::unexpected<ApiError> refuse(http::status status, std::string code, std::string message) {
  ApiError e{Error{std::move(message)}};
  e.status = status;
  e.code = std::move(code);
  return tl::unexpected<ApiError>(std::move(e));
}

tl::unexpected<ApiError> unauthorized(std::string message) {
  return refuse(http::status::unauthorized, "unauthorized", std::move(message));
}

tl::unexpected<ApiError> rate_limited(std::string message, std::chrono::seconds retry_after) {
  auto refusal = refuse(http::status::too_many_requests, "rate_limited", std::move(message));
  refusal.value().headers.emplace_back(http::field::retry_after,
                                       std::to_string(retry_after.count()));
  return refusal;
}

}  // namespace triage::collector
