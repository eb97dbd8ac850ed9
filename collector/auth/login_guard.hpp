#pragma once
// Password login with throttling: a per-client token bucket on failed logins and a
// per-account-name lockout, both in the store, so they survive restarts and every collector
// node sharing the store throttles and locks alike. Lockout applies to unknown names exactly
// as to real ones, so it reveals nothing about which names exist.
//
// With a company directory (collector/auth/directory.hpp), a name that no local account holds
// is the directory's: it checks the password and gives the role, and the account is created
// here at the person's first sign-in (source `ldap`, no local password). A local account of the
// same name always wins: the directory is never asked for it. Throttles and lockout count
// directory sign-ins exactly as local ones (under the name in lower case, as the directory
// compares names).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "collector/auth/accounts.hpp"
#include "collector/auth/client_throttle.hpp"
#include "collector/auth/directory.hpp"
#include "collector/auth/lockout.hpp"

namespace triage::collector {

struct LoginSettings {
  LockoutPolicy lockout;
  /// Failed logins per client address (`max_clients` does not apply: the store forgets a
  /// client once its bucket is full again).
  RateLimit per_client;
  /// Password hashing (logins, password changes, new users) runs on a pool of its own so a
  /// flood of logins cannot hold the threads that answer every other request.
  std::size_t login_threads = 2;
  /// Password requests waiting for a login thread; beyond it they are refused (503 busy).
  std::size_t login_queue = 32;
  /// [auth] require_totp_for_admins: an admin without a second factor can do nothing but
  /// enroll one (and see who they are, change their password, log out).
  bool require_totp_for_admins = false;
};

struct LoginAttempt {
  std::string_view name;
  std::string_view password;
  std::string_view client;  ///< client_key() of the peer
  SessionKind kind = SessionKind::kBearer;
  std::chrono::seconds session_ttl{12 * 3600};
  /// Login only: the authenticator code, or a recovery code, of a user who has a second factor.
  std::string_view second_factor{};
  std::string_view source{};      ///< login only: the client's address, kept with the session
  std::string_view user_agent{};  ///< login only: its User-Agent, kept with the session
};

/// Why a login was refused (for the audit log; clients see only `error`).
enum class LoginRefusalReason {
  kWrongCredentials,      ///< unknown name, wrong password or disabled account
  kLockedNow,             ///< a wrong password that locked the name
  kLocked,                ///< the name was locked already; the password was not checked
  kThrottled,             ///< the client address ran out of attempts
  kSecondFactorRequired,  ///< right password, the user has a second factor, none was given
  kWrongSecondFactor,     ///< right password, wrong or replayed code (counts as a failure)
  kNoRole,                ///< the directory checked the password; no mapped group gives a role
  kDirectoryUnavailable,  ///< the directory could not be asked (not counted as a failure)
  kError,                 ///< the store failed
};

struct LoginRefusal {
  Error error;  ///< kDenied: wrong credentials (401); other codes as usual
  /// Non-zero when throttled (429): the client may try again after this long.
  std::chrono::seconds retry_after{0};
  LoginRefusalReason reason = LoginRefusalReason::kError;
  /// "ldap" when the company directory was asked (or would have been: an empty password).
  std::string method = "password";
};

class LoginGuard {
 public:
  /// `directory`, when given, signs in every name that no local account holds.
  explicit LoginGuard(LoginSettings settings, std::shared_ptr<Directory> directory = nullptr)
      : settings_(settings), directory_(std::move(directory)) {}

  /// Checks the throttles, then the password; opens a session on success. A locked name is
  /// refused without looking at the password, so the right password does not get through.
  /// `now` is wall-clock time: the nodes of a cluster share the throttles' times.
  tl::expected<LoginResult, LoginRefusal> login(Store& store, const LoginAttempt& attempt,
                                                TimePoint now);

  /// The throttles and the password, without a second factor or a session (a password change
  /// proves the current password this way, so guessing it through a stolen session is
  /// throttled like a login).
  tl::expected<User, LoginRefusal> verify(Store& store, const LoginAttempt& attempt, TimePoint now);

  const LoginSettings& settings() const { return settings_; }
  /// The company directory, or null when staff sign in with local accounts only.
  Directory* directory() const { return directory_.get(); }

 private:
  /// What a successful check learned besides the user.
  struct Proof {
    std::string method = "password";
    bool provisioned = false;
    std::optional<Role> role_before;
  };

  /// verify(), then, with `second_factor`, the user's second factor: a TOTP code is accepted
  /// once (a replay fails), a recovery code once. A wrong code counts like a wrong password.
  /// `method` receives how the user proved who they are ("password", "password+totp",
  /// "password+recovery_code", "ldap").
  tl::expected<User, LoginRefusal> check(Store& store, const LoginAttempt& attempt,
                                         bool second_factor, TimePoint now, Proof* proof);

  /// The name the directory signs in for `typed` (in lower case), or nothing when a local account
  /// holds it (typed as it is or in lower case) or there is no directory.
  Result<std::optional<std::string>> directory_name(Store& store, std::string_view typed);

  /// The directory's check of `attempt` for `name`, then the account here: created at the first
  /// sign-in, its role updated at each. `counted` is the attempt under its throttle name.
  tl::expected<User, LoginRefusal> check_with_directory(Store& store, const LoginAttempt& counted,
                                                        const std::string& name, TimePoint now,
                                                        Proof* proof);

  /// Counts a failed attempt of the name and the client: the lockout when that locked the
  /// name, else `refusal`.
  tl::unexpected<LoginRefusal> failed_attempt(Store& store, const LoginAttempt& attempt,
                                              TimePoint now, LoginRefusal refusal);

  /// Counts a failure of the client (and of the name, when given) in one transaction.
  Result<std::optional<LoginThrottleState>> record_failure(Store& store,
                                                           const LoginAttempt& attempt,
                                                           bool count_name, TimePoint now);

  LoginSettings settings_;
  std::shared_ptr<Directory> directory_;
};

}  // namespace triage::collector
