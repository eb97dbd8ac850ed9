#include "collector/auth/login_guard.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "collector/auth/second_factor.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::collector {

namespace {

tl::unexpected<LoginRefusal> locked(std::chrono::seconds retry_after, LoginRefusalReason reason) {
  return tl::unexpected(LoginRefusal{
      Error{"too many failed logins for this user name: logins for it are refused, even with "
            "the right password, for " +
                std::to_string(retry_after.count()) + " more seconds",
            ErrorCode::kDenied},
      retry_after, reason});
}

std::string lower_case(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

LoginRefusal wrong_credentials(std::string method) {
  return LoginRefusal{Error{"wrong user name or password", ErrorCode::kDenied},
                      std::chrono::seconds(0), LoginRefusalReason::kWrongCredentials,
                      std::move(method)};
}

}  // namespace

tl::expected<LoginResult, LoginRefusal> LoginGuard::login(Store& store, const LoginAttempt& attempt,
                                                          TimePoint now) {
  Proof proof;
  auto user = check(store, attempt, true, now, &proof);
  if (!user) return tl::unexpected(std::move(user.error()));
  auto session = open_session(
      store, *user, attempt.kind, attempt.session_ttl, now,
      SessionOrigin{std::string(attempt.source), std::string(attempt.user_agent), proof.method});
  if (!session) return tl::unexpected(LoginRefusal{session.error()});
  session->provisioned = proof.provisioned;
  session->role_before = proof.role_before;
  return std::move(*session);
}

tl::expected<User, LoginRefusal> LoginGuard::verify(Store& store, const LoginAttempt& attempt,
                                                    TimePoint now) {
  return check(store, attempt, false, now, nullptr);
}

Result<std::optional<LoginThrottleState>> LoginGuard::record_failure(Store& store,
                                                                     const LoginAttempt& attempt,
                                                                     bool count_name,
                                                                     TimePoint now) {
  const auto per_client = settings_.per_client;
  const auto policy = settings_.lockout;
  auto spend_token = [&](std::optional<LoginClientThrottle> bucket) {
    return after_client_failure(bucket, per_client, now);
  };
  return store.write([&](WriteTx& tx) -> Result<std::optional<LoginThrottleState>> {
    if (auto r = tx.auth().update_login_client_throttle(attempt.client, now, spend_token); !r) {
      return tl::unexpected(r.error());
    }
    if (!count_name) return std::optional<LoginThrottleState>();
    auto next = tx.auth().update_login_throttle(attempt.name, now, [&](LoginThrottleState s) {
      return after_failed_login(s, policy, now);
    });
    if (!next) return tl::unexpected(next.error());
    return std::optional<LoginThrottleState>(*next);
  });
}

tl::unexpected<LoginRefusal> LoginGuard::failed_attempt(Store& store, const LoginAttempt& attempt,
                                                        TimePoint now, LoginRefusal refusal) {
  auto next = record_failure(store, attempt, true, now);
  if (!next) return tl::unexpected(LoginRefusal{next.error()});
  if (auto left = lockout_remaining(**next, now)) {
    spdlog::warn("user name `{}` locked for {} s after {} failed logins (lockout #{})",
                 attempt.name, left->count(), settings_.lockout.max_failures, (*next)->lockouts);
    return locked(*left, LoginRefusalReason::kLockedNow);
  }
  return tl::unexpected(std::move(refusal));
}

Result<std::optional<std::string>> LoginGuard::directory_name(Store& store,
                                                              std::string_view typed) {
  if (!directory_) return std::optional<std::string>();
  const std::string lower = lower_case(typed);
  for (std::string_view candidate : {typed, std::string_view(lower)}) {
    auto found = store.read().auth().find_user_by_name(candidate);
    if (!found) return tl::unexpected(found.error());
    if (*found && (*found)->source == UserSource::kLocal) return std::optional<std::string>();
  }
  return std::optional<std::string>(lower);
}

tl::expected<User, LoginRefusal> LoginGuard::check_with_directory(Store& store,
                                                                  const LoginAttempt& counted,
                                                                  const std::string& name,
                                                                  TimePoint now, Proof* proof) {
  // Refused before any bind: an empty password is an anonymous bind the directory accepts.
  if (counted.password.empty()) {
    return failed_attempt(store, counted, now, wrong_credentials("ldap"));
  }
  const auto answer = directory_->sign_in(name, counted.password);
  switch (answer.verdict) {
    case DirectoryVerdict::kUnavailable:
      spdlog::error("directory sign-in of `{}` failed: {}", name, log_safe(answer.detail, 512));
      return tl::unexpected(LoginRefusal{
          Error{"the company directory cannot be reached to check your password right now; try "
                "again in a few minutes (the collector's log says why)",
                ErrorCode::kUnavailable},
          std::chrono::seconds(0), LoginRefusalReason::kDirectoryUnavailable, "ldap"});
    case DirectoryVerdict::kRejected:
      spdlog::info("directory sign-in of `{}` refused: {}", name, log_safe(answer.detail, 512));
      return failed_attempt(store, counted, now, wrong_credentials("ldap"));
    case DirectoryVerdict::kNoRole:
      spdlog::warn("directory sign-in of `{}` ({}): {}", name, log_safe(answer.dn, 256),
                   log_safe(answer.detail, 512));
      return tl::unexpected(LoginRefusal{
          Error{"your company directory account is in none of the groups that give a role here; "
                "ask an admin to add you to one",
                ErrorCode::kDenied},
          std::chrono::seconds(0), LoginRefusalReason::kNoRole, "ldap"});
    case DirectoryVerdict::kAccepted:
      break;
  }
  auto existing = store.read().auth().find_user_by_name(name);
  if (!existing) return tl::unexpected(LoginRefusal{existing.error()});
  User user;
  if (!*existing) {
    user.name = name;
    user.role = answer.role;
    user.kind = UserKind::kPerson;
    user.source = UserSource::kLdap;
    user.created_at = now;
    user.directory_checked_at = now;
    auto id = store.write([&](WriteTx& tx) { return tx.auth().insert_user(user); });
    if (!id) {
      // Another node created the account in the meantime: sign in as at a second sign-in.
      if (id.error().code != ErrorCode::kConflict) return tl::unexpected(LoginRefusal{id.error()});
      existing = store.read().auth().find_user_by_name(name);
      if (!existing) return tl::unexpected(LoginRefusal{existing.error()});
      if (!*existing) return tl::unexpected(LoginRefusal{id.error()});
    } else {
      user.id = *id;
      proof->provisioned = true;
      spdlog::info("directory user `{}` ({}) signed in for the first time: account created as {}",
                   name, log_safe(answer.dn, 256), role_name(answer.role));
    }
  }
  if (*existing) {
    user = std::move(**existing);
    // A local account of this name appeared meanwhile, or an admin disabled the account here:
    // both win over the directory.
    if (user.source != UserSource::kLdap || user.disabled) {
      return failed_attempt(store, counted, now, wrong_credentials("ldap"));
    }
    auto recorded = store.write(
        [&](WriteTx& tx) { return tx.auth().record_directory_check(user.id, answer.role, now); });
    if (!recorded) return tl::unexpected(LoginRefusal{recorded.error()});
    if (user.role != answer.role) proof->role_before = user.role;
    user.role = answer.role;
    user.directory_checked_at = now;
  }
  proof->method = "ldap";
  return user;
}

tl::expected<User, LoginRefusal> LoginGuard::check(Store& store, const LoginAttempt& attempt,
                                                   bool second_factor, TimePoint now,
                                                   Proof* proof) {
  Proof ignored;
  if (proof == nullptr) proof = &ignored;
  auto client = store.read().auth().find_login_client_throttle(attempt.client);
  if (!client) return tl::unexpected(LoginRefusal{client.error()});
  if (auto wait = client_throttle_wait(*client, settings_.per_client, now)) {
    return tl::unexpected(
        LoginRefusal{Error{"too many failed logins from your address; try again in " +
                               std::to_string(wait->count()) + " seconds",
                           ErrorCode::kDenied},
                     *wait, LoginRefusalReason::kThrottled});
  }
  // A name that cannot exist is refused at once and not tracked: nothing to lock, and no
  // rows for garbage names. The client still pays a token.
  if (!valid_user_name(attempt.name)) {
    if (auto r = record_failure(store, attempt, false, now); !r) {
      return tl::unexpected(LoginRefusal{r.error()});
    }
    return tl::unexpected(LoginRefusal{Error{"wrong user name or password", ErrorCode::kDenied},
                                       std::chrono::seconds(0),
                                       LoginRefusalReason::kWrongCredentials});
  }
  // With a directory, names are counted in lower case: the directory takes "Alice" for "alice",
  // so case variants must not multiply the guesses the lockout allows.
  const std::string throttle_name =
      directory_ ? lower_case(attempt.name) : std::string(attempt.name);
  LoginAttempt counted = attempt;
  counted.name = throttle_name;
  auto state = store.read().auth().find_login_throttle(throttle_name);
  if (!state) return tl::unexpected(LoginRefusal{state.error()});
  if (*state) {
    if (auto left = lockout_remaining(**state, now)) {
      auto refusal = locked(*left, LoginRefusalReason::kLocked);
      if (directory_) refusal.value().method = "ldap";
      return refusal;
    }
  }
  const auto clear_failures = [&]() -> tl::expected<void, LoginRefusal> {
    // Cleared only once every factor passed: a right password with wrong codes keeps counting.
    if (!*state) return {};
    auto reset = store.write([&](WriteTx& tx) {
      return tx.auth().update_login_throttle(
          throttle_name, now, [](LoginThrottleState) { return LoginThrottleState{}; });
    });
    if (!reset) return tl::unexpected(LoginRefusal{reset.error()});
    return {};
  };

  auto routed = directory_name(store, attempt.name);
  if (!routed) return tl::unexpected(LoginRefusal{routed.error()});
  if (*routed) {
    auto user = check_with_directory(store, counted, **routed, now, proof);
    if (!user) return user;
    if (auto cleared = clear_failures(); !cleared) return tl::unexpected(cleared.error());
    return user;
  }

  auto user = check_password(store, attempt.name, attempt.password);
  if (!user) {
    if (user.error().code != ErrorCode::kDenied) return tl::unexpected(LoginRefusal{user.error()});
    return failed_attempt(
        store, counted, now,
        LoginRefusal{user.error(), std::chrono::seconds(0), LoginRefusalReason::kWrongCredentials});
  }
  proof->method = "password";
  if (second_factor && !user->totp_secret.empty()) {
    if (attempt.second_factor.empty()) {
      // The password was right: saying a code is needed tells that to whoever typed it, which
      // the lockout and the per-address throttle bound like any password guess.
      return tl::unexpected(LoginRefusal{
          Error{"this account has a second factor: send the code of its authenticator app (or a "
                "recovery code) as `totp_code`",
                ErrorCode::kDenied},
          std::chrono::seconds(0), LoginRefusalReason::kSecondFactorRequired});
    }
    auto proven = check_second_factor(store, *user, attempt.second_factor, now);
    if (!proven) return tl::unexpected(LoginRefusal{proven.error()});
    if (!proven->accepted) {
      return failed_attempt(
          store, counted, now,
          LoginRefusal{Error{proven->refusal, ErrorCode::kDenied}, std::chrono::seconds(0),
                       LoginRefusalReason::kWrongSecondFactor});
    }
    proof->method = proven->method;
  }
  if (auto cleared = clear_failures(); !cleared) return tl::unexpected(cleared.error());
  return std::move(*user);
}

}  // namespace triage::collector
