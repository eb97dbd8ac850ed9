#include "collector/auth/accounts.hpp"

#include <algorithm>

#include "shared/pki/secrets.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMinPasswordLength = 12;
constexpr std::size_t kMaxPasswordLength = 1024;

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '@' || c == '-';
  });
}

// Hash of a password nobody has: verifying against it costs the same as a real check,
// so a login for an unknown user takes as long as one with a wrong password.
const std::string& decoy_hash() {
  static const std::string hash = pki::hash_password(pki::random_token(16)).value_or("");
  return hash;
}

}  // namespace

Result<User> create_user(Store& store, std::string name, Role role, std::string_view password,
                         TimePoint now) {
  if (!valid_user_name(name)) {
    return fail(ErrorCode::kInvalid,
                "user name `" + name + "`: use 1-64 letters, digits, or . _ @ -");
  }
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return fail(ErrorCode::kInvalid, "password must be at least 12 characters");
  }
  auto hash = pki::hash_password(password);
  if (!hash) return tl::unexpected(hash.error());
  User user;
  user.name = std::move(name);
  user.role = role;
  user.password_hash = std::move(*hash);
  user.created_at = now;
  auto id = store.insert_user(user);
  if (!id) return tl::unexpected(id.error());
  user.id = *id;
  return user;
}

Result<LoginResult> login(Store& store, std::string_view name, std::string_view password,
                          std::chrono::seconds session_ttl, TimePoint now) {
  const auto denied = [] { return fail(ErrorCode::kDenied, "wrong user name or password"); };
  if (name.empty() || password.empty() || password.size() > kMaxPasswordLength) return denied();
  auto found = store.find_user_by_name(name);
  if (!found) return tl::unexpected(found.error());
  if (!*found) {
    (void)pki::verify_password(password, decoy_hash());
    return denied();
  }
  auto ok = pki::verify_password(password, (*found)->password_hash);
  if (!ok) return tl::unexpected(ok.error());
  if (!*ok || (*found)->disabled) return denied();
  LoginResult result;
  result.token = pki::random_token(32);
  result.user = **found;
  result.expires_at = now + session_ttl;
  ApiSession session{pki::sha256_hex(result.token), result.user.id, now, result.expires_at};
  if (auto r = store.insert_session(session); !r) return tl::unexpected(r.error());
  return result;
}

Result<User> authenticate_bearer(Store& store, std::string_view header, TimePoint now) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.empty()) return fail(ErrorCode::kDenied, "authentication required");
  if (header.substr(0, kPrefix.size()) != kPrefix || header.size() > 512) {
    return fail(ErrorCode::kDenied, "Authorization header must be `Bearer <token>`");
  }
  auto session = store.find_session(pki::sha256_hex(header.substr(kPrefix.size())), now);
  if (!session) return tl::unexpected(session.error());
  if (!*session) return fail(ErrorCode::kDenied, "token unknown or expired; log in again");
  auto user = store.find_user((*session)->user_id);
  if (!user) return tl::unexpected(user.error());
  if (!*user || (*user)->disabled) return fail(ErrorCode::kDenied, "account disabled");
  return **user;
}

std::string generate_password() { return pki::random_token(18); }

}  // namespace triage::collector
