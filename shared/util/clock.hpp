#pragma once
// The time a service reads, so that a test can set it instead of waiting for it. The live
// clock is the machine's; tests/support/manual_clock.hpp is moved by hand.

#include <chrono>

namespace triage {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Wall-clock time: what records carry (created and expiry times, retention cutoffs).
  virtual std::chrono::system_clock::time_point now() const = 0;
  /// Monotonic time: intervals and deadlines, whatever the wall clock is set to.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

/// The machine's clocks: one instance for the whole process, safe from any thread.
const Clock& live_clock();

}  // namespace triage
