#pragma once
// Long-lived API tokens for integrations: bound to a user (and so to its role), named,
// expiring (90 days by default, a year at most), revocable. The secret is shown once and
// stored as SHA-256. Tokens look like "trt_<12 hex id>_<43 base64url>" so secret scanners
// can recognise leaked ones.

#include <chrono>
#include <string>
#include <string_view>

#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

inline constexpr std::string_view kApiTokenPrefix = "trt_";
inline constexpr std::chrono::seconds kDefaultApiTokenTtl{90 * 86400};
inline constexpr std::chrono::seconds kMaxApiTokenTtl{365 * 86400};

struct CreatedApiToken {
  std::string token;  ///< the secret, shown once
  ApiToken record;
};

/// Creates a token for the enabled user `user_name`. `label`: 1-64 printable characters;
/// `ttl`: 1 minute to 365 days. kNotFound for an unknown user, kConflict for a disabled one.
Result<CreatedApiToken> create_api_token(AuthRepository& store, std::string_view user_name,
                                         std::string label, std::chrono::seconds ttl,
                                         std::string created_by, TimePoint now);

/// True when `token` has the API token shape (prefix); says nothing about validity.
bool looks_like_api_token(std::string_view token);

}  // namespace triage::collector
