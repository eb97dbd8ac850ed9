#include "collector/api/password_proof.hpp"

#include "collector/auth/client_key.hpp"

namespace triage::collector {

tl::expected<void, ApiError> prove_current_password(ApiServices& services,
                                                    const ApiRequest& request,
                                                    std::string_view password) {
  const auto client = client_key(request.peer.remote_address);
  LoginAttempt attempt;
  attempt.name = request.auth->user.name;
  attempt.password = password;
  attempt.client = client;
  auto proven =
      services.login_guard->verify(services.store, attempt, std::chrono::system_clock::now());
  if (proven) return {};
  const auto& refusal = proven.error();
  if (refusal.retry_after.count() > 0) {
    return rate_limited(refusal.error.message, refusal.retry_after);
  }
  if (refusal.error.code == ErrorCode::kDenied) {
    return refuse(http::status::forbidden, "wrong_password", "the current password is wrong");
  }
  return tl::unexpected(ApiError(refusal.error));
}

}  // namespace triage::collector
