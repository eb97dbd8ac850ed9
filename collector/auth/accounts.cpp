#include "collector/auth/accounts.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "collector/auth/api_tokens.hpp"
#include "collector/auth/cookies.hpp"
#include "shared/pki/secrets.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMinPasswordLength = 12;
constexpr std::size_t kMaxPasswordLength = 1024;
constexpr std::size_t kMaxBearerHeader = 512;
// last_used_at is for people ("is this token still in use?"): minute precision saves a
// database write on every request.
constexpr auto kTouchInterval = std::chrono::seconds(60);
// A User-Agent is the client's to choose: what a session list shows of it is bounded.
constexpr std::size_t kMaxOriginText = 256;

// Hash of a password nobody has: verifying against it costs the same as a real check,
// so a login for an unknown user takes as long as one with a wrong password.
const std::string& decoy_hash() {
  static const std::string hash = pki::hash_password(pki::random_token(16)).value_or("");
  return hash;
}

tl::unexpected<AuthRefusal> refuse(std::string message) {
  return tl::unexpected(AuthRefusal{AuthRefusalKind::kUnauthenticated,
                                    Error{std::move(message), ErrorCode::kDenied}});
}

tl::unexpected<AuthRefusal> store_failure(const Error& error) {
  return tl::unexpected(AuthRefusal{AuthRefusalKind::kError, error});
}

bool is_token_text(std::string_view token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '_';
  });
}

tl::expected<Authenticated, AuthRefusal> with_user(Store& store, Authenticated auth,
                                                   std::int64_t user_id) {
  auto user = store.read().auth().find_user(user_id);
  if (!user) return store_failure(user.error());
  if (!*user || (*user)->disabled) return refuse("account disabled");
  auth.user = std::move(**user);
  auth.user.password_hash.clear();
  return auth;
}

tl::expected<Authenticated, AuthRefusal> authenticate_api_token(Store& store,
                                                                std::string_view token,
                                                                TimePoint now) {
  auto found = store.read().auth().find_api_token(pki::sha256_hex(token));
  if (!found) return store_failure(found.error());
  if (!*found) return refuse("API token unknown");
  const ApiToken& record = **found;
  if (record.revoked_at) return refuse("API token " + record.id + " was revoked");
  if (record.expires_at <= now) return refuse("API token " + record.id + " has expired");
  if (!record.last_used_at || now - *record.last_used_at >= kTouchInterval) {
    if (auto r =
            store.write([&](WriteTx& tx) { return tx.auth().touch_api_token(record.id, now); });
        !r) {
      spdlog::warn("API token {}: recording its use failed: {}", record.id, r.error().message);
    }
  }
  Authenticated auth;
  auth.kind = AuthKind::kApiToken;
  auth.expires_at = record.expires_at;
  auth.token_id = record.id;
  auth.token_created_by = record.created_by;
  return with_user(store, std::move(auth), record.user_id);
}

// `csrf_hash` receives the stored CSRF hash of the session.
tl::expected<Authenticated, AuthRefusal> authenticate_session(Store& store, std::string_view token,
                                                              SessionKind presented, TimePoint now,
                                                              std::string* csrf_hash = nullptr) {
  auto hash = pki::sha256_hex(token);
  auto session = store.read().auth().find_session(hash, now);
  if (!session) return store_failure(session.error());
  if (!*session || (*session)->kind != presented) {
    return refuse(presented == SessionKind::kCookie
                      ? "session cookie unknown or expired; log in again"
                      : "token unknown or expired; log in again");
  }
  if (csrf_hash != nullptr) *csrf_hash = (*session)->csrf_hash;
  const auto& seen = (*session)->last_seen_at;
  if (!seen || now - *seen >= kTouchInterval) {
    if (auto r = store.write([&](WriteTx& tx) { return tx.auth().touch_session(hash, now); }); !r) {
      spdlog::warn("session {}: recording its use failed: {}", hash.substr(0, 16),
                   r.error().message);
    }
  }
  Authenticated auth;
  auth.kind = presented == SessionKind::kCookie ? AuthKind::kCookie : AuthKind::kSession;
  auth.expires_at = (*session)->expires_at;
  auth.session_hash = std::move(hash);
  return with_user(store, std::move(auth), (*session)->user_id);
}

}  // namespace

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '@' || c == '-';
  });
}

Result<void> check_password_rules(std::string_view password, std::string_view user_name) {
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return fail(ErrorCode::kInvalid, "password must be at least 12 characters");
  }
  // The first guess of anyone who knows the name.
  const bool is_name = !user_name.empty() && password.size() == user_name.size() &&
                       std::equal(password.begin(), password.end(), user_name.begin(),
                                  [](unsigned char a, unsigned char b) {
                                    return std::tolower(a) == std::tolower(b);
                                  });
  if (is_name) return fail(ErrorCode::kInvalid, "the password must not be the user name");
  return {};
}

Result<User> new_service_account(std::string name, Role role, TimePoint now) {
  if (!valid_user_name(name)) {
    return fail(ErrorCode::kInvalid,
                "user name `" + name + "`: use 1-64 letters, digits, or . _ @ -");
  }
  // Administration stays with people: every admin act is someone's, signed in.
  if (role == Role::kAdmin) {
    return fail(ErrorCode::kInvalid, "a service account cannot have the admin role");
  }
  User user;
  user.name = std::move(name);
  user.role = role;
  user.kind = UserKind::kService;
  user.created_at = now;
  return user;
}

Result<User> new_user(std::string name, Role role, std::string_view password, TimePoint now) {
  if (!valid_user_name(name)) {
    return fail(ErrorCode::kInvalid,
                "user name `" + name + "`: use 1-64 letters, digits, or . _ @ -");
  }
  if (auto r = check_password_rules(password, name); !r) return tl::unexpected(r.error());
  auto hash = pki::hash_password(password);
  if (!hash) return tl::unexpected(hash.error());
  User user;
  user.name = std::move(name);
  user.role = role;
  user.password_hash = std::move(*hash);
  user.created_at = now;
  return user;
}

Result<User> create_user(Store& store, std::string name, Role role, std::string_view password,
                         TimePoint now) {
  auto user = new_user(std::move(name), role, password, now);
  if (!user) return user;
  auto id = store.write([&](WriteTx& tx) { return tx.auth().insert_user(*user); });
  if (!id) return tl::unexpected(id.error());
  user->id = *id;
  return user;
}

Result<User> check_password(Store& store, std::string_view name, std::string_view password) {
  const auto denied = [] { return fail(ErrorCode::kDenied, "wrong user name or password"); };
  if (name.empty() || password.empty() || password.size() > kMaxPasswordLength) return denied();
  auto found = store.read().auth().find_user_by_name(name);
  if (!found) return tl::unexpected(found.error());
  // A service account has no password: it costs and answers like an unknown name.
  if (!*found || (*found)->kind != UserKind::kPerson || (*found)->password_hash.empty()) {
    (void)pki::verify_password(password, decoy_hash());
    return denied();
  }
  auto ok = pki::verify_password(password, (*found)->password_hash);
  if (!ok) return tl::unexpected(ok.error());
  if (!*ok || (*found)->disabled) return denied();
  return **found;
}

Result<LoginResult> open_session(Store& store, const User& user, SessionKind kind,
                                 std::chrono::seconds session_ttl, TimePoint now,
                                 const SessionOrigin& origin) {
  LoginResult result;
  result.token = pki::random_token(32);
  result.user = user;
  result.user.password_hash.clear();
  result.expires_at = now + session_ttl;
  result.kind = kind;
  result.method = origin.method;
  ApiSession session;
  session.token_hash = pki::sha256_hex(result.token);
  session.user_id = user.id;
  session.created_at = now;
  session.expires_at = result.expires_at;
  session.kind = kind;
  session.source = origin.source.substr(0, kMaxOriginText);
  session.user_agent = origin.user_agent.substr(0, kMaxOriginText);
  session.method = origin.method;
  if (kind == SessionKind::kCookie) {
    result.csrf_token = pki::random_token(32);
    session.csrf_hash = pki::sha256_hex(result.csrf_token);
  }
  if (auto r = store.write([&](WriteTx& tx) { return tx.auth().insert_session(session); }); !r)
    return tl::unexpected(r.error());
  return result;
}

Result<LoginResult> login(Store& store, std::string_view name, std::string_view password,
                          std::chrono::seconds session_ttl, TimePoint now) {
  auto user = check_password(store, name, password);
  if (!user) return tl::unexpected(user.error());
  return open_session(store, *user, SessionKind::kBearer, session_ttl, now);
}

const char* auth_kind_name(AuthKind kind) {
  switch (kind) {
    case AuthKind::kSession:
      return "session";
    case AuthKind::kCookie:
      return "cookie";
    case AuthKind::kApiToken:
      return "api_token";
  }
  return "session";
}

std::string Authenticated::credential() const {
  if (kind == AuthKind::kApiToken) return "api_token:" + token_id;
  return "session:" + session_hash.substr(0, 16);
}

bool Authenticated::personal() const {
  if (kind != AuthKind::kApiToken) return user.kind == UserKind::kPerson;
  return user.kind == UserKind::kPerson && token_created_by == "user:" + user.name;
}

tl::expected<Authenticated, AuthRefusal> authenticate(Store& store, const Credentials& credentials,
                                                      TimePoint now) {
  constexpr std::string_view kPrefix = "Bearer ";
  const auto& header = credentials.authorization;
  if (!header.empty()) {
    if (header.size() > kMaxBearerHeader || header.substr(0, kPrefix.size()) != kPrefix ||
        !is_token_text(header.substr(kPrefix.size()))) {
      return refuse("Authorization header must be `Bearer <token>`");
    }
    auto token = header.substr(kPrefix.size());
    if (looks_like_api_token(token)) return authenticate_api_token(store, token, now);
    return authenticate_session(store, token, SessionKind::kBearer, now);
  }
  if (credentials.cookie.empty()) return refuse("authentication required");
  auto cookie = find_cookie(credentials.cookie, kSessionCookie);
  if (!cookie) return refuse(cookie.error().message);
  if (!*cookie) return refuse("authentication required");
  std::string csrf_hash;
  auto auth = authenticate_session(store, **cookie, SessionKind::kCookie, now, &csrf_hash);
  if (!auth || !credentials.unsafe_method) return auth;
  // Browsers attach cookies to cross-site requests too; only the console can read the CSRF
  // token it got at login, so a matching header proves the request comes from it.
  const auto& presented = credentials.csrf_token;
  if (presented.empty()) {
    return tl::unexpected(AuthRefusal{
        AuthRefusalKind::kCsrf,
        Error{"X-CSRF-Token header required with a session cookie", ErrorCode::kDenied}});
  }
  if (presented.size() > kMaxBearerHeader || csrf_hash.empty() ||
      !pki::constant_time_equal(pki::sha256_hex(presented), csrf_hash)) {
    return tl::unexpected(
        AuthRefusal{AuthRefusalKind::kCsrf,
                    Error{"X-CSRF-Token does not match this session", ErrorCode::kDenied}});
  }
  return auth;
}

Result<User> authenticate_bearer(Store& store, std::string_view header, TimePoint now) {
  if (header.empty()) return fail(ErrorCode::kDenied, "authentication required");
  auto auth = authenticate(store, Credentials{header, {}, {}, false}, now);
  if (!auth) {
    if (auth.error().kind == AuthRefusalKind::kError) return tl::unexpected(auth.error().error);
    return fail(ErrorCode::kDenied, auth.error().error.message);
  }
  return auth->user;
}

std::string generate_password() { return pki::random_token(18); }

}  // namespace triage::collector
