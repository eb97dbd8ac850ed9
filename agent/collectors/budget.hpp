#pragma once
// Per-collector budgets and the meter that enforces them cooperatively: collectors call
// CollectContext::within_budget() in their loops; the meter compares the calling thread's CPU
// time (plus CPU of programs it ran), wall time and heap growth against the budget.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace triage::agent {

/// Limits for one collector run.
struct Budget {
  std::chrono::milliseconds cpu{50};
  std::chrono::milliseconds wall{2000};
  std::size_t heap_bytes = 4 * 1024 * 1024;
};

/// Heap bytes currently allocated by this process (platform-specific).
std::uint64_t heap_in_use_bytes();

/// CPU time of the calling thread (platform-specific).
std::chrono::microseconds thread_cpu_time();

/// Measures one collector run against its Budget. Not thread-safe; one per run.
class BudgetMeter {
 public:
  explicit BudgetMeter(Budget budget);

  /// Samples CPU, wall time and heap; false (and remembers why) once any limit is passed.
  bool within();
  /// CPU used by programs the collector ran, added to its own.
  void add_child_cpu(std::chrono::milliseconds cpu) { child_cpu_ += cpu; }

  bool exceeded() const { return !reason_.empty(); }
  /// "CPU 120 ms > budget 50 ms" (empty while within budget).
  const std::string& reason() const { return reason_; }
  std::chrono::milliseconds cpu_used() const;
  std::chrono::milliseconds wall_used() const;
  std::uint64_t peak_heap_bytes() const { return peak_heap_; }
  const Budget& budget() const { return budget_; }

 private:
  Budget budget_;
  std::chrono::steady_clock::time_point wall_start_;
  std::chrono::microseconds cpu_start_;
  std::chrono::microseconds cpu_now_{0};
  std::chrono::milliseconds child_cpu_{0};
  std::uint64_t heap_start_ = 0;
  std::uint64_t peak_heap_ = 0;
  std::string reason_;
};

}  // namespace triage::agent
