#include "shared/util/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace triage {

void RateLimiter::refill(Bucket& bucket, Clock::time_point now) const {
  const double minutes = std::chrono::duration<double>(now - bucket.updated).count() / 60.0;
  if (minutes > 0)
    bucket.tokens = std::min(limit_.burst, bucket.tokens + minutes * limit_.per_minute);
  bucket.updated = std::max(bucket.updated, now);
}

std::optional<std::chrono::seconds> RateLimiter::blocked_for(std::string_view key,
                                                             Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) return std::nullopt;
  refill(it->second, now);
  if (it->second.tokens >= 1.0) return std::nullopt;
  const double wait_s = (1.0 - it->second.tokens) * 60.0 / std::max(limit_.per_minute, 1e-6);
  return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait_s))));
}

void RateLimiter::consume(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    make_room(now);
    it = buckets_.emplace(std::string(key), Bucket{limit_.burst, now}).first;
  }
  refill(it->second, now);
  it->second.tokens = std::max(0.0, it->second.tokens - 1.0);
}

std::size_t RateLimiter::tracked_clients() {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::make_room(Clock::time_point now) {
  if (buckets_.size() < std::max<std::size_t>(limit_.max_clients, 1)) return;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    it = it->second.tokens >= limit_.burst ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() < limit_.max_clients) return;
  // Still full of active clients: forget the one idle longest. A flood of distinct
  // addresses can thus free one client early, but memory stays bounded.
  auto oldest = std::min_element(
      buckets_.begin(), buckets_.end(),
      [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; });
  buckets_.erase(oldest);
}

}  // namespace triage
