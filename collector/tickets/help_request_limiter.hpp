#pragma once
// How many help requests one device may turn into tickets: a rate (a burst, then so many an
// hour) and a cap per day. A compromised or misbehaving endpoint cannot bury the helpdesk's
// queue; the end user is told why their request was refused. Kept in memory: a restart of
// the collector starts every device afresh.

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "shared/util/result.hpp"
#include "shared/util/token_bucket.hpp"

namespace triage::collector {

struct HelpRequestLimits {
  /// Requests at once, then `per_hour` an hour.
  double burst = 5;
  double per_hour = 10;
  /// Requests in any 24 hours.
  std::size_t per_day = 30;
};

class HelpRequestLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HelpRequestLimiter(HelpRequestLimits limits) : limits_(limits) {}

  /// Counts one new help request of `device_id`, or refuses it (kDenied) with a message
  /// meant for the end user. Thread-safe.
  Result<void> admit(const std::string& device_id, Clock::time_point now = Clock::now());

 private:
  struct Device {
    TokenBucket rate;
    std::deque<Clock::time_point> last_day;
  };

  const HelpRequestLimits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, Device> devices_;
};

}  // namespace triage::collector
