#pragma once
// Staff accounts and their bearer sessions: passwords hashed with scrypt, tokens stored hashed.

#include <chrono>
#include <optional>
#include <string>

#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// Creates a user. Name: 1-64 of [A-Za-z0-9._@-]; password: at least 12 characters.
Result<User> create_user(Store& store, std::string name, Role role, std::string_view password,
                         TimePoint now);

struct LoginResult {
  std::string token;  ///< bearer secret, shown once
  User user;
  TimePoint expires_at;
};

/// Checks the password and opens a session. One message for unknown user and wrong password.
Result<LoginResult> login(Store& store, std::string_view name, std::string_view password,
                          std::chrono::seconds session_ttl, TimePoint now);

/// The user behind "Authorization: Bearer <token>", or kDenied with the reason.
Result<User> authenticate_bearer(Store& store, std::string_view authorization_header,
                                 TimePoint now);

/// A random password for one-time use (printed by `user add` without --password-stdin).
std::string generate_password();

}  // namespace triage::collector
