#pragma once
// What one probe run may spend: a deadline on the steady clock and a cap on the bytes of its
// result. A probe checks both as it goes and, when one runs out, stops where it is, keeps
// what it found and says so (cut(): budget_exceeded with a note naming where it stopped).

#include <chrono>
#include <cstddef>
#include <string>

namespace triage::agent {

class ProbeBudget {
 public:
  using Clock = std::chrono::steady_clock;

  ProbeBudget(std::chrono::milliseconds time, std::size_t output_bytes)
      : deadline_(Clock::now() + time), output_bytes_(output_bytes) {}

  Clock::time_point deadline() const { return deadline_; }
  /// True once the deadline has passed.
  bool expired() const { return Clock::now() >= deadline_; }
  std::size_t output_bytes() const { return output_bytes_; }

  /// Records the first reason the probe was cut short ("time budget ran out while ...").
  void cut(std::string note) {
    if (exceeded_) return;
    exceeded_ = true;
    note_ = std::move(note);
  }
  bool exceeded() const { return exceeded_; }
  const std::string& note() const { return note_; }

 private:
  Clock::time_point deadline_;
  std::size_t output_bytes_;
  bool exceeded_ = false;
  std::string note_;
};

/// Milliseconds from `start` until now.
inline std::uint64_t elapsed_ms(ProbeBudget::Clock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(ProbeBudget::Clock::now() - start)
          .count());
}

}  // namespace triage::agent
