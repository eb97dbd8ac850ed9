#include "collector/tickets/help_request_limiter.hpp"

namespace triage::collector {

Result<void> HelpRequestLimiter::admit(const std::string& device_id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) {
    it = devices_
             .emplace(device_id,
                      Device{TokenBucket(limits_.per_hour / 3600.0, limits_.burst, now), {}})
             .first;
  }
  auto& device = it->second;
  while (!device.last_day.empty() && now - device.last_day.front() >= std::chrono::hours(24)) {
    device.last_day.pop_front();
  }
  if (device.last_day.size() >= limits_.per_day) {
    return fail(ErrorCode::kDenied,
                "this computer has sent " + std::to_string(limits_.per_day) +
                    " help requests in the last 24 hours, the most the helpdesk accepts");
  }
  if (auto wait = device.rate.take(now); wait.count() > 0) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(wait).count() + 1;
    return fail(ErrorCode::kDenied,
                "too many help requests from this computer just now; try again in " +
                    std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes"));
  }
  device.last_day.push_back(now);
  return {};
}

}  // namespace triage::collector
