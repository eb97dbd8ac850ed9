#pragma once
// Staff accounts and their sessions: passwords hashed with scrypt, tokens stored hashed.
// Requests authenticate with a bearer token (login session or API token) or with the
// console's session cookie plus a CSRF header for unsafe methods.

#include <chrono>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// A user record ready to insert: checks the name (1-64 of [A-Za-z0-9._@-]) and the password
/// (at least 12 characters) and hashes the password. Slow by design (scrypt); touches no store.
Result<User> new_user(std::string name, Role role, std::string_view password, TimePoint now);

/// A service account ready to insert: no password (it never signs in interactively), any
/// role but admin. kInvalid for a bad name or the admin role.
Result<User> new_service_account(std::string name, Role role, TimePoint now);

/// kInvalid unless `password` is acceptable for a person: 12-1024 characters and not the
/// user's own name (compared without case; `user_name` empty skips that rule).
Result<void> check_password_rules(std::string_view password, std::string_view user_name = {});

/// new_user(), then inserts it; sets the id.
Result<User> create_user(Store& store, std::string name, Role role, std::string_view password,
                         TimePoint now);

/// True when `name` is a well-formed user name (1-64 of [A-Za-z0-9._@-]).
bool valid_user_name(std::string_view name);

/// Checks a password. kDenied with one message for unknown user, wrong password, disabled
/// account and service account; an unknown user costs the same scrypt time as a wrong
/// password.
Result<User> check_password(Store& store, std::string_view name, std::string_view password);

struct LoginResult {
  std::string token;       ///< bearer or cookie secret, shown once
  std::string csrf_token;  ///< cookie sessions only: the value of X-CSRF-Token, shown once
  User user;
  TimePoint expires_at;
  SessionKind kind = SessionKind::kBearer;
  /// How the user proved who they are: "password", "password+totp", "password+recovery_code",
  /// "ldap" (the company directory checked the password).
  std::string method = "password";
  /// "ldap": the account was created by this sign-in (the person's first).
  bool provisioned = false;
  /// "ldap": the role the account had before this sign-in, when the directory changed it.
  std::optional<Role> role_before;
};

/// Where a session was opened from, as its user sees it in their session list.
struct SessionOrigin {
  std::string source;               ///< the client's address
  std::string user_agent;           ///< cut to 256 bytes when stored
  std::string method = "password";  ///< LoginResult::method
};

/// Opens a session of `kind` for a user whose password was checked.
Result<LoginResult> open_session(Store& store, const User& user, SessionKind kind,
                                 std::chrono::seconds session_ttl, TimePoint now,
                                 const SessionOrigin& origin = {});

/// check_password() then open_session() for a bearer session, without throttling (see
/// LoginGuard for the throttled login the API uses).
Result<LoginResult> login(Store& store, std::string_view name, std::string_view password,
                          std::chrono::seconds session_ttl, TimePoint now);

/// How a request proved who it is.
enum class AuthKind { kSession, kCookie, kApiToken };
const char* auth_kind_name(AuthKind kind);

struct Authenticated {
  User user;
  AuthKind kind = AuthKind::kSession;
  TimePoint expires_at;
  std::string session_hash;      ///< kSession, kCookie: the stored session (for logout)
  std::string token_id;          ///< kApiToken: the token's public id
  std::string token_created_by;  ///< kApiToken: who minted it ("user:NAME", "cli")

  /// The credential as recorded: "session:<first 16 hex of the session's hash>" or
  /// "api_token:<id>". Names it without revealing anything that authenticates.
  std::string credential() const;
  /// True when only this user can hold the credential: a session opened with their password
  /// (a password someone else chose must be replaced before anything works), or an API
  /// token they minted themselves. False for a token someone else minted for them.
  bool personal() const;
};

/// What a request offers to authenticate with; views into its headers.
struct Credentials {
  std::string_view authorization;  ///< Authorization header
  std::string_view cookie;         ///< all Cookie headers joined with "; "
  std::string_view csrf_token;     ///< X-CSRF-Token header
  bool unsafe_method = false;      ///< POST, PUT, PATCH, DELETE...
};

enum class AuthRefusalKind {
  kUnauthenticated,  ///< 401: no, unknown, expired or malformed credentials; disabled user
  kCsrf,             ///< 403: cookie session without the matching X-CSRF-Token
  kError,            ///< the store failed
};

struct AuthRefusal {
  AuthRefusalKind kind = AuthRefusalKind::kUnauthenticated;
  Error error;
};

/// Authenticates a request. A present Authorization header wins and is never combined with
/// the cookie (a bearer request needs no CSRF header; a bad bearer token is refused even
/// with a good cookie). Session kinds are bound to their transport: a cookie session is not
/// accepted as a bearer token, nor a bearer one as a cookie.
tl::expected<Authenticated, AuthRefusal> authenticate(Store& store, const Credentials& credentials,
                                                      TimePoint now);

/// The user behind "Authorization: Bearer <token>", or kDenied with the reason.
Result<User> authenticate_bearer(Store& store, std::string_view authorization_header,
                                 TimePoint now);

/// A random password for one-time use (printed by `user add` without --password-stdin).
std::string generate_password();

}  // namespace triage::collector
