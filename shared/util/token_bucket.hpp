#pragma once
// A token bucket: `rate` tokens a second, holding at most `burst`. Not thread-safe: each
// owner (an agent session, on its strand) has its own.

#include <algorithm>
#include <chrono>

namespace triage {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  /// Starts full. `rate` > 0.
  TokenBucket(double rate, double burst, Clock::time_point now = Clock::now())
      : rate_(rate), burst_(burst), tokens_(burst), last_(now) {}

  /// Spends one token. Returns zero when one was there; otherwise (the bucket is empty, and
  /// the caller still serves this one) how long until the next token.
  std::chrono::milliseconds take(Clock::time_point now = Clock::now()) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed) * rate_);
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return std::chrono::milliseconds(0);
    }
    return std::chrono::milliseconds(static_cast<long>(1000.0 * (1 - tokens_) / rate_) + 1);
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace triage
