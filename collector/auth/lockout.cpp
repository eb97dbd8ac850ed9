#include "collector/auth/lockout.hpp"

#include <algorithm>

namespace triage::collector {

std::optional<std::chrono::seconds> lockout_remaining(const LoginThrottleState& state,
                                                      TimePoint now) {
  if (state.locked_until <= now) return std::nullopt;
  // Round up: "retry after 0 seconds" while still locked would invite a busy loop.
  auto left = std::chrono::ceil<std::chrono::seconds>(state.locked_until - now);
  return std::max(left, std::chrono::seconds(1));
}

std::chrono::seconds lockout_duration(int n, const LockoutPolicy& policy) {
  auto duration = policy.lockout;
  for (int i = 1; i < n && duration < policy.max_lockout; ++i) duration *= 2;
  return std::min(duration, std::max(policy.max_lockout, policy.lockout));
}

LoginThrottleState after_failed_login(LoginThrottleState state, const LockoutPolicy& policy,
                                      TimePoint now) {
  if (now - state.updated_at > policy.lockout_memory) state.lockouts = 0;
  if (now - state.updated_at > policy.failure_window) state.failures = 0;
  state.updated_at = now;
  // While locked, attempts are refused before any password is checked, so they are not
  // failures and do not lengthen the lockout.
  if (lockout_remaining(state, now)) return state;
  state.failures += 1;
  if (state.failures >= std::max(policy.max_failures, 1)) {
    state.lockouts = std::min(state.lockouts + 1, 64);
    state.failures = 0;
    state.locked_until = now + lockout_duration(state.lockouts, policy);
  }
  return state;
}

}  // namespace triage::collector
