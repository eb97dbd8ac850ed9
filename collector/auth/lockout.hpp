#pragma once
// Account lockout after repeated failed logins: pure state transitions over
// LoginThrottleState, so the rules are testable without a clock or a database.

#include <chrono>
#include <optional>

#include "collector/storage/records.hpp"

namespace triage::collector {

struct LockoutPolicy {
  /// Consecutive failures that lock the account name.
  int max_failures = 5;
  /// First lockout; each further consecutive lockout doubles it, up to `max_lockout`.
  std::chrono::seconds lockout{15 * 60};
  std::chrono::seconds max_lockout{4 * 3600};
  /// Failures older than this are forgotten (an occasional typo never adds up to a lockout).
  std::chrono::seconds failure_window{15 * 60};
  /// After this long without a failure the lockout doubling starts again from `lockout`.
  std::chrono::seconds lockout_memory{24 * 3600};
};

/// Time left on a lockout at `now`, or nothing when the name is not locked.
std::optional<std::chrono::seconds> lockout_remaining(const LoginThrottleState& state,
                                                      TimePoint now);

/// The state after one more failed login at `now`. When this failure reaches
/// `policy.max_failures` the name is locked and the failure count starts again.
LoginThrottleState after_failed_login(LoginThrottleState state, const LockoutPolicy& policy,
                                      TimePoint now);

/// Length of the lockout number `n` (1-based): lockout * 2^(n-1), capped at max_lockout.
std::chrono::seconds lockout_duration(int n, const LockoutPolicy& policy);

}  // namespace triage::collector
