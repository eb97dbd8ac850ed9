#include "collector/auth/login_guard.hpp"

#include <spdlog/spdlog.h>

#include "collector/auth/second_factor.hpp"

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

}  // namespace

tl::expected<LoginResult, LoginRefusal> LoginGuard::login(Store& store, const LoginAttempt& attempt,
                                                          TimePoint now) {
  std::string method;
  auto user = check(store, attempt, true, now, &method);
  if (!user) return tl::unexpected(std::move(user.error()));
  auto session = open_session(
      store, *user, attempt.kind, attempt.session_ttl, now,
      SessionOrigin{std::string(attempt.source), std::string(attempt.user_agent), method});
  if (!session) return tl::unexpected(LoginRefusal{session.error()});
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

tl::expected<User, LoginRefusal> LoginGuard::check(Store& store, const LoginAttempt& attempt,
                                                   bool second_factor, TimePoint now,
                                                   std::string* method) {
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
  auto state = store.read().auth().find_login_throttle(attempt.name);
  if (!state) return tl::unexpected(LoginRefusal{state.error()});
  if (*state) {
    if (auto left = lockout_remaining(**state, now)) {
      return locked(*left, LoginRefusalReason::kLocked);
    }
  }

  auto user = check_password(store, attempt.name, attempt.password);
  if (!user) {
    if (user.error().code != ErrorCode::kDenied) return tl::unexpected(LoginRefusal{user.error()});
    return failed_attempt(
        store, attempt, now,
        LoginRefusal{user.error(), std::chrono::seconds(0), LoginRefusalReason::kWrongCredentials});
  }
  if (method != nullptr) *method = "password";
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
          store, attempt, now,
          LoginRefusal{Error{proven->refusal, ErrorCode::kDenied}, std::chrono::seconds(0),
                       LoginRefusalReason::kWrongSecondFactor});
    }
    if (method != nullptr) *method = proven->method;
  }
  // Cleared only once every factor passed: a right password with wrong codes keeps counting.
  if (*state) {
    auto reset = store.write([&](WriteTx& tx) {
      return tx.auth().update_login_throttle(
          attempt.name, now, [](LoginThrottleState) { return LoginThrottleState{}; });
    });
    if (!reset) return tl::unexpected(LoginRefusal{reset.error()});
  }
  return std::move(*user);
}

}  // namespace triage::collector
