#include "agent/service/help_rate_limiter.hpp"

#include <algorithm>

namespace triage::agent {

bool HelpRateLimiter::allow(std::uint32_t uid, Clock::time_point now) {
  // Local accounts are few; the map is bounded by them, but stay safe against uid churn.
  if (buckets_.size() > 4096) buckets_.clear();
  auto [it, fresh] = buckets_.try_emplace(uid, Bucket{static_cast<double>(per_hour_), now});
  auto& bucket = it->second;
  if (!fresh) {
    const double hours = std::chrono::duration<double>(now - bucket.updated).count() / 3600.0;
    bucket.tokens = std::min<double>(per_hour_, bucket.tokens + hours * per_hour_);
    bucket.updated = now;
  }
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace triage::agent
