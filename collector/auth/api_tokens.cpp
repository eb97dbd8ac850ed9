#include "collector/auth/api_tokens.hpp"

#include <algorithm>

#include "shared/pki/secrets.hpp"

namespace triage::collector {

Result<CreatedApiToken> create_api_token(AuthRepository& store, std::string_view user_name,
                                         std::string label, std::chrono::seconds ttl,
                                         std::string created_by, TimePoint now) {
  if (label.empty() || label.size() > 64 ||
      !std::all_of(label.begin(), label.end(),
                   [](unsigned char c) { return c >= 0x20 && c < 0x7f; })) {
    return fail(ErrorCode::kInvalid, "token name: use 1-64 printable ASCII characters");
  }
  if (ttl < std::chrono::minutes(1) || ttl > kMaxApiTokenTtl) {
    return fail(ErrorCode::kInvalid, "token lifetime must be from 1 minute to 365 days");
  }
  auto user = store.find_user_by_name(user_name);
  if (!user) return tl::unexpected(user.error());
  if (!*user) return fail(ErrorCode::kNotFound, "no user named " + std::string(user_name));
  if ((*user)->disabled) {
    return fail(ErrorCode::kConflict, "user " + std::string(user_name) + " is disabled");
  }
  CreatedApiToken created;
  created.record.id = pki::to_hex(pki::random_bytes(6));
  created.token = std::string(kApiTokenPrefix) + created.record.id + "_" + pki::random_token(32);
  created.record.token_hash = pki::sha256_hex(created.token);
  created.record.user_id = (*user)->id;
  created.record.user_name = (*user)->name;
  created.record.name = std::move(label);
  created.record.created_at = now;
  created.record.expires_at = now + ttl;
  created.record.created_by = std::move(created_by);
  if (auto r = store.insert_api_token(created.record); !r) return tl::unexpected(r.error());
  return created;
}

bool looks_like_api_token(std::string_view token) {
  return token.substr(0, kApiTokenPrefix.size()) == kApiTokenPrefix;
}

}  // namespace triage::collector
