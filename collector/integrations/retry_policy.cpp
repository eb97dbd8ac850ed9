#include "collector/integrations/retry_policy.hpp"

#include <algorithm>

namespace triage::collector {

std::chrono::milliseconds RetryPolicy::ceiling(int attempts) const {
  const auto cap = std::max(settings_.cap, settings_.base);
  auto value = settings_.base;
  // Stop doubling at the cap, which also keeps the value far from overflow.
  for (int i = 1; i < attempts && value < cap; ++i) value *= 2;
  return std::min(value, cap);
}

std::chrono::milliseconds RetryPolicy::delay(int attempts, double unit) const {
  const auto top = ceiling(attempts).count();
  const double clamped = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(
      top / 2 + static_cast<std::int64_t>(clamped * static_cast<double>(top - top / 2)));
}

std::chrono::milliseconds RetryPolicy::delay(int attempts, std::mt19937_64& rng) const {
  return delay(attempts, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
}

bool RetryPolicy::may_retry(int attempts, TimePoint queued_at, TimePoint next) const {
  return attempts < settings_.max_attempts && next - queued_at <= settings_.max_age;
}

}  // namespace triage::collector
