#pragma once
// Help requests are never evicted from the spool, so one local account must not be able to
// fill the disk with them: a token bucket per uid (burst = the hourly allowance).

#include <chrono>
#include <cstdint>
#include <map>

namespace triage::agent {

class HelpRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HelpRateLimiter(std::uint32_t per_hour) : per_hour_(per_hour == 0 ? 1 : per_hour) {}

  /// True (and one request counted) when `uid` may file a request at `now`.
  bool allow(std::uint32_t uid, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  std::uint32_t per_hour_;
  std::map<std::uint32_t, Bucket> buckets_;
};

}  // namespace triage::agent
