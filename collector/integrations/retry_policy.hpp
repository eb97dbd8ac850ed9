#pragma once
// When to try a failed delivery again: exponential backoff with jitter up to a cap, until a
// maximum number of attempts or a maximum age; then the message is failed for good.

#include <chrono>
#include <random>

#include "collector/storage/ticket_records.hpp"

namespace triage::collector {

struct RetrySettings {
  std::chrono::milliseconds base{30'000};    ///< delay after the first failed attempt
  std::chrono::milliseconds cap{3'600'000};  ///< longest delay
  int max_attempts = 20;
  std::chrono::milliseconds max_age{24 * 3'600'000};  ///< from when the message was queued
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetrySettings settings) : settings_(settings) {}

  /// The longest delay after `attempts` failed attempts: min(cap, base * 2^(attempts-1)).
  std::chrono::milliseconds ceiling(int attempts) const;
  /// The delay after `attempts` failed attempts: ceiling/2 + `unit` * ceiling/2, `unit` in
  /// [0, 1] (jitter spreads retries of many messages; never less than half the ceiling).
  std::chrono::milliseconds delay(int attempts, double unit) const;
  /// The same with a random `unit` from `rng`.
  std::chrono::milliseconds delay(int attempts, std::mt19937_64& rng) const;
  /// Whether a message that failed its `attempts`-th attempt may be tried again at `next`.
  bool may_retry(int attempts, TimePoint queued_at, TimePoint next) const;

  const RetrySettings& settings() const { return settings_; }

 private:
  RetrySettings settings_;
};

}  // namespace triage::collector
