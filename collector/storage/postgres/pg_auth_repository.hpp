#pragma once
// PostgreSQL: staff accounts, login throttling, login sessions and API tokens.

#include "collector/storage/auth_repository.hpp"
#include "collector/storage/postgres/pg_connector.hpp"

namespace triage::collector {

class PgAuthRepository final : public AuthRepository {
 public:
  explicit PgAuthRepository(postgres::Connector& connector) : connector_(connector) {}

  Result<std::optional<User>> find_user_by_name(std::string_view name) override;
  Result<std::optional<User>> find_user(std::int64_t id) override;
  Result<std::vector<User>> list_users() override;
  Result<std::optional<ApiSession>> find_session(std::string_view token_hash,
                                                 TimePoint now) override;
  Result<std::optional<LoginThrottleState>> find_login_throttle(std::string_view name) override;
  Result<std::optional<LoginClientThrottle>> find_login_client_throttle(
      std::string_view client) override;
  Result<std::optional<ApiToken>> find_api_token(std::string_view token_hash) override;
  Result<std::vector<ApiToken>> list_api_tokens() override;
  Result<std::int64_t> insert_user(const User& user) override;
  Result<User> update_user(std::int64_t id, const UserUpdate& update, TimePoint now) override;
  Result<void> record_directory_check(std::int64_t user_id, Role role, TimePoint when) override;
  Result<void> end_user_access(std::int64_t user_id, TimePoint when) override;
  Result<void> set_password(std::int64_t user_id, std::string_view password_hash,
                            std::string_view keep_session_hash) override;
  Result<void> reset_password(std::int64_t user_id, std::string_view password_hash) override;
  Result<void> begin_totp(std::int64_t user_id, std::string_view secret_base32) override;
  Result<void> activate_totp(std::int64_t user_id, std::string_view secret_base32,
                             std::int64_t step,
                             const std::vector<std::string>& recovery_code_hashes) override;
  Result<bool> accept_totp_step(std::int64_t user_id, std::int64_t step) override;
  Result<bool> use_recovery_code(std::int64_t user_id, std::string_view code_hash,
                                 TimePoint when) override;
  Result<void> remove_totp(std::int64_t user_id) override;
  Result<int> count_recovery_codes(std::int64_t user_id) override;
  Result<std::vector<ApiSession>> list_sessions(std::int64_t user_id, TimePoint now) override;
  Result<bool> delete_user_session(std::int64_t user_id, std::string_view id) override;
  Result<void> touch_session(std::string_view token_hash, TimePoint when) override;
  Result<void> insert_session(const ApiSession& session) override;
  Result<void> delete_session(std::string_view token_hash) override;
  Result<LoginThrottleState> update_login_throttle(
      std::string_view name, TimePoint now,
      const std::function<LoginThrottleState(LoginThrottleState)>& update) override;
  Result<LoginClientThrottle> update_login_client_throttle(
      std::string_view client, TimePoint now,
      const std::function<LoginClientThrottle(std::optional<LoginClientThrottle>)>& update)
      override;
  Result<void> insert_api_token(const ApiToken& token) override;
  Result<void> revoke_api_token(std::string_view id, TimePoint when) override;
  Result<void> touch_api_token(std::string_view id, TimePoint when) override;

 private:
  postgres::Connector& connector_;
};

}  // namespace triage::collector
