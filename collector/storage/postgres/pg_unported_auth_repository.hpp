#pragma once
// PostgreSQL, not ported yet: staff accounts, sessions, API tokens and login throttling. Every call
// fails with kUnavailable instead of crashing; the backend stays unselectable in open_store() until
// every area is ported.

#include "collector/storage/auth_repository.hpp"

namespace triage::collector {

class PgUnportedAuthRepository final : public AuthRepository {
 public:
  Result<std::optional<User>> find_user_by_name(std::string_view) override { return unavailable(); }
  Result<std::optional<User>> find_user(std::int64_t) override { return unavailable(); }
  Result<std::vector<User>> list_users() override { return unavailable(); }
  Result<std::optional<ApiSession>> find_session(std::string_view, TimePoint) override {
    return unavailable();
  }
  Result<std::optional<LoginThrottleState>> find_login_throttle(std::string_view) override {
    return unavailable();
  }
  Result<std::optional<ApiToken>> find_api_token(std::string_view) override {
    return unavailable();
  }
  Result<std::vector<ApiToken>> list_api_tokens() override { return unavailable(); }
  Result<std::int64_t> insert_user(const User&) override { return unavailable(); }
  Result<User> update_user(std::int64_t, const UserUpdate&, TimePoint) override {
    return unavailable();
  }
  Result<void> set_password(std::int64_t, std::string_view, std::string_view) override {
    return unavailable();
  }
  Result<void> insert_session(const ApiSession&) override { return unavailable(); }
  Result<void> delete_session(std::string_view) override { return unavailable(); }
  Result<LoginThrottleState> update_login_throttle(
      std::string_view, TimePoint,
      const std::function<LoginThrottleState(LoginThrottleState)>&) override {
    return unavailable();
  }
  Result<void> insert_api_token(const ApiToken&) override { return unavailable(); }
  Result<void> revoke_api_token(std::string_view, TimePoint) override { return unavailable(); }
  Result<void> touch_api_token(std::string_view, TimePoint) override { return unavailable(); }

 private:
  static tl::unexpected<Error> unavailable() {
    return fail(ErrorCode::kUnavailable, "auth: not yet supported by the PostgreSQL backend");
  }
};

}  // namespace triage::collector
