#pragma once
// Per-client token buckets in memory: failed logins by source address, audit records by
// actor. Bounded: at most `max_clients` buckets; full buckets are forgotten first, since a full
// bucket is the same as none.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace triage {

struct RateLimit {
  double burst = 20;       ///< tokens a client starts with
  double per_minute = 10;  ///< refill rate
  std::size_t max_clients = 10'000;
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimit limit) : limit_(limit) {}

  /// When `key` has no token left: how long until it has one. Nothing when it may go on.
  /// Does not take a token.
  std::optional<std::chrono::seconds> blocked_for(std::string_view key, Clock::time_point now);
  /// Takes one token from `key` (a failed attempt). Never blocks nor fails.
  void consume(std::string_view key, Clock::time_point now);
  std::size_t tracked_clients();

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  void refill(Bucket& bucket, Clock::time_point now) const;
  void make_room(Clock::time_point now);

  RateLimit limit_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace triage
