#pragma once
// Staff accounts, login throttling, login sessions and API tokens.
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The reads of this area.
class AuthReader {
 public:
  virtual ~AuthReader() = default;

  virtual Result<std::optional<User>> find_user_by_name(std::string_view name) = 0;
  virtual Result<std::optional<User>> find_user(std::int64_t id) = 0;
  virtual Result<std::vector<User>> list_users() = 0;
  /// The session for this token hash if it exists and has not expired at `now`.
  virtual Result<std::optional<ApiSession>> find_session(std::string_view token_hash,
                                                         TimePoint now) = 0;
  virtual Result<std::optional<LoginThrottleState>> find_login_throttle(std::string_view name) = 0;
  /// The failed-login bucket of a client address; nothing when it is full (no row).
  virtual Result<std::optional<LoginClientThrottle>> find_login_client_throttle(
      std::string_view client) = 0;
  /// The token with this hash, whatever its state (revoked, expired): callers decide.
  virtual Result<std::optional<ApiToken>> find_api_token(std::string_view token_hash) = 0;
  /// Every API token, newest first; secrets are never stored, so never returned.
  virtual Result<std::vector<ApiToken>> list_api_tokens() = 0;
  /// The user's sessions that have not expired at `now`, newest first.
  virtual Result<std::vector<ApiSession>> list_sessions(std::int64_t user_id, TimePoint now) = 0;
  /// How many of the user's recovery codes are still unused.
  virtual Result<int> count_recovery_codes(std::int64_t user_id) = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class AuthRepository : public AuthReader {
 public:
  /// kConflict when the name is taken. Returns the new id.
  virtual Result<std::int64_t> insert_user(const User& user) = 0;
  /// Applies `update`; kNotFound if unknown. Disabling also deletes the user's sessions and
  /// revokes their API tokens in the same transaction. Returns the user as stored after.
  virtual Result<User> update_user(std::int64_t id, const UserUpdate& update, TimePoint now) = 0;
  /// For a user of the directory (UserSource::kLdap): stores the role the directory maps them
  /// to now and `when` as the time it confirmed the account. kNotFound for any other user.
  virtual Result<void> record_directory_check(std::int64_t user_id, Role role, TimePoint when) = 0;
  /// In one transaction: deletes every session of the user and revokes their API tokens (the
  /// directory no longer vouches for them). The account itself stays as it is.
  virtual Result<void> end_user_access(std::int64_t user_id, TimePoint when) = 0;
  /// In one transaction: stores a person's new password hash, clears must_change_password
  /// and deletes every session of theirs but `keep_session_hash` ("" keeps none). kNotFound
  /// for an unknown user, a service account or a user of the directory.
  virtual Result<void> set_password(std::int64_t user_id, std::string_view password_hash,
                                    std::string_view keep_session_hash) = 0;
  /// In one transaction: stores a person's password hash chosen by someone else (an admin's
  /// reset), sets must_change_password and deletes every session of theirs. API tokens stay.
  /// kNotFound for an unknown user, a service account or a user of the directory.
  virtual Result<void> reset_password(std::int64_t user_id, std::string_view password_hash) = 0;
  /// Stores `secret_base32` as the person's TOTP secret awaiting confirmation (a secret in
  /// force stays until then). kNotFound for an unknown user, a service account or a user of the
  /// directory (whose second factor is the directory's business).
  virtual Result<void> begin_totp(std::int64_t user_id, std::string_view secret_base32) = 0;
  /// In one transaction, when the pending secret is still `secret_base32`: puts it in force with
  /// `step` as the last accepted step and replaces the user's recovery codes with
  /// `recovery_code_hashes`. kConflict when the pending secret is another or none.
  virtual Result<void> activate_totp(std::int64_t user_id, std::string_view secret_base32,
                                     std::int64_t step,
                                     const std::vector<std::string>& recovery_code_hashes) = 0;
  /// Records `step` as the last accepted one when it is later than the stored one (and the
  /// user has a secret in force); false otherwise: the code was used already (a replay).
  virtual Result<bool> accept_totp_step(std::int64_t user_id, std::int64_t step) = 0;
  /// Marks the unused recovery code with this hash used at `when`; false when the user has no
  /// such unused code.
  virtual Result<bool> use_recovery_code(std::int64_t user_id, std::string_view code_hash,
                                         TimePoint when) = 0;
  /// Removes the user's second factor: secret, pending secret and recovery codes.
  virtual Result<void> remove_totp(std::int64_t user_id) = 0;
  virtual Result<void> insert_session(const ApiSession& session) = 0;
  /// Ends one login session (logout). Deleting an unknown session is not an error.
  virtual Result<void> delete_session(std::string_view token_hash) = 0;
  /// Ends the session of `user_id` whose public id (ApiSession::id()) is `id`; false when the
  /// user has none such.
  virtual Result<bool> delete_user_session(std::int64_t user_id, std::string_view id) = 0;
  /// Records a request made with the session (ApiSession::last_seen_at).
  virtual Result<void> touch_session(std::string_view token_hash, TimePoint when) = 0;
  /// In one write transaction: reads the throttle state of `name` (a default state when there
  /// is none), stores `update(state)` and returns it. A result equal to the default state
  /// deletes the row. Rows idle for a week are pruned on the way.
  virtual Result<LoginThrottleState> update_login_throttle(
      std::string_view name, TimePoint now,
      const std::function<LoginThrottleState(LoginThrottleState)>& update) = 0;
  /// In one write transaction: reads the bucket of `client` (nothing when it has none), stores
  /// `update(bucket)` and returns it, the row locked meanwhile (two nodes' failures for one
  /// client both count). A result full by `now` deletes the row; so are other clients' rows
  /// full by `now`, on the way.
  virtual Result<LoginClientThrottle> update_login_client_throttle(
      std::string_view client, TimePoint now,
      const std::function<LoginClientThrottle(std::optional<LoginClientThrottle>)>& update) = 0;
  virtual Result<void> insert_api_token(const ApiToken& token) = 0;
  /// Marks a token revoked; kNotFound if unknown. Revoking twice keeps the first time.
  virtual Result<void> revoke_api_token(std::string_view id, TimePoint when) = 0;
  virtual Result<void> touch_api_token(std::string_view id, TimePoint when) = 0;
};

}  // namespace triage::collector
