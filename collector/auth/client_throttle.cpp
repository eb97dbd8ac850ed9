#include "collector/auth/client_throttle.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace triage::collector {

namespace {

// The time one token takes to come back.
std::chrono::milliseconds refill_time(const RateLimit& limit) {
  // At least one token every 1,000 minutes: a refill rate of 0 would lock a client for good.
  const double per_minute = std::max(limit.per_minute, 1e-3);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(60'000.0 / per_minute)));
}

// The time the whole bucket takes to refill.
TimePoint::duration empty_to_full(const RateLimit& limit) {
  return std::chrono::duration_cast<TimePoint::duration>(refill_time(limit) *
                                                         std::max(limit.burst, 0.0));
}

}  // namespace

std::optional<std::chrono::seconds> client_throttle_wait(
    const std::optional<LoginClientThrottle>& state, const RateLimit& limit, TimePoint now) {
  if (!state || state->full_at <= now) return std::nullopt;
  // Tokens left = burst - (full_at - now) / refill: at least one while the bucket is no further
  // from full than burst - 1 tokens.
  const auto one_token = std::chrono::duration_cast<TimePoint::duration>(refill_time(limit));
  const auto missing = state->full_at - now;
  const auto allowed = empty_to_full(limit) - one_token;
  if (missing <= allowed) return std::nullopt;
  // Round up: "retry after 0 seconds" while still throttled would invite a busy loop.
  auto wait = std::chrono::ceil<std::chrono::seconds>(missing - allowed);
  return std::max(wait, std::chrono::seconds(1));
}

LoginClientThrottle after_client_failure(const std::optional<LoginClientThrottle>& state,
                                         const RateLimit& limit, TimePoint now) {
  const TimePoint from = state ? std::max(state->full_at, now) : now;
  const auto one_token = std::chrono::duration_cast<TimePoint::duration>(refill_time(limit));
  // An empty bucket stays empty: more failures do not push the client's next try further off.
  return LoginClientThrottle{std::min(from + one_token, now + empty_to_full(limit))};
}

}  // namespace triage::collector
