#include "agent/collectors/budget.hpp"

namespace triage::agent {

BudgetMeter::BudgetMeter(Budget budget)
    : budget_(budget),
      wall_start_(std::chrono::steady_clock::now()),
      cpu_start_(thread_cpu_time()),
      cpu_now_(cpu_start_),
      heap_start_(heap_in_use_bytes()) {}

std::chrono::milliseconds BudgetMeter::cpu_used() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(cpu_now_ - cpu_start_) + child_cpu_;
}

std::chrono::milliseconds BudgetMeter::wall_used() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               wall_start_);
}

bool BudgetMeter::within() {
  cpu_now_ = thread_cpu_time();
  std::uint64_t heap = heap_in_use_bytes();
  if (heap > heap_start_) peak_heap_ = std::max(peak_heap_, heap - heap_start_);
  if (!reason_.empty()) return false;
  auto cpu = cpu_used();
  auto wall = wall_used();
  if (cpu > budget_.cpu) {
    reason_ = "CPU " + std::to_string(cpu.count()) + " ms > budget " +
              std::to_string(budget_.cpu.count()) + " ms";
  } else if (wall > budget_.wall) {
    reason_ = "wall time " + std::to_string(wall.count()) + " ms > budget " +
              std::to_string(budget_.wall.count()) + " ms";
  } else if (peak_heap_ > budget_.heap_bytes) {
    reason_ = "heap " + std::to_string(peak_heap_ / 1024) + " KiB > budget " +
              std::to_string(budget_.heap_bytes / 1024) + " KiB";
  }
  return reason_.empty();
}

}  // namespace triage::agent
