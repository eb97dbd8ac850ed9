#pragma once
// Reconnect delays: exponential growth with full jitter, so thousands of agents that lost the
// same collector spread their returns over the whole window instead of arriving together.

#include <chrono>
#include <cstdint>
#include <random>

namespace triage::transport {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap,
          std::uint64_t seed = std::random_device{}());

  /// Delay before the next attempt: uniform in [0, min(cap, base * 2^failures)].
  std::chrono::milliseconds next();
  /// Upper bound next() may return at the current failure count (for tests and logs).
  std::chrono::milliseconds current_ceiling() const;
  /// A connection succeeded: start again from `base`.
  void reset() { failures_ = 0; }
  std::uint32_t failures() const { return failures_; }

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
  std::uint32_t failures_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace triage::transport
