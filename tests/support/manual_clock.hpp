#pragma once
// A Clock that moves only when a test moves it: both its wall and its monotonic time advance
// together. Safe from any thread.

#include <chrono>
#include <mutex>

#include "shared/util/clock.hpp"

namespace triage::testing {

class ManualClock : public Clock {
 public:
  /// Starts at the given times (by default: now, and the machine's uptime now).
  explicit ManualClock(
      std::chrono::steady_clock::time_point steady = std::chrono::steady_clock::now(),
      std::chrono::system_clock::time_point wall = std::chrono::system_clock::now())
      : wall_(wall), steady_(steady) {}

  std::chrono::system_clock::time_point now() const override {
    std::lock_guard lock(mutex_);
    return wall_;
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    std::lock_guard lock(mutex_);
    return steady_;
  }
  void advance(std::chrono::milliseconds by) {
    std::lock_guard lock(mutex_);
    wall_ += by;
    steady_ += by;
  }

 private:
  mutable std::mutex mutex_;
  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point steady_;
};

}  // namespace triage::testing
