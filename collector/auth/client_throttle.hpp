#pragma once
// Failed logins per client address: a token bucket (RateLimit: `burst` attempts, refilled at
// `per_minute`) kept in the store as the time it is full again, so every collector node
// throttles the same client. Pure state transitions: testable without a clock or a database.

#include <chrono>
#include <optional>

#include "collector/storage/records.hpp"
#include "shared/util/rate_limiter.hpp"

namespace triage::collector {

/// How long the client must wait before its next attempt at `now`, or nothing when it may try.
/// No state is a full bucket.
std::optional<std::chrono::seconds> client_throttle_wait(
    const std::optional<LoginClientThrottle>& state, const RateLimit& limit, TimePoint now);

/// The state after one more failed attempt at `now`: one token taken (none below empty).
LoginClientThrottle after_client_failure(const std::optional<LoginClientThrottle>& state,
                                         const RateLimit& limit, TimePoint now);

}  // namespace triage::collector
