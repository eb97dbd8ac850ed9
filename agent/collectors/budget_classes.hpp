#pragma once
// The budget classes every platform's catalog picks from. Budgets are ~5-10x what a collector
// needs on a typical desktop, so only a pathological machine (or a bug) trips them; CPU
// includes programs the collector runs.

#include <chrono>
#include <cstddef>

#include "agent/collectors/budget.hpp"

namespace triage::agent::budgets {

inline constexpr std::size_t kMiB = 1024 * 1024;

/// A few small files.
inline constexpr Budget kTiny{std::chrono::milliseconds(20), std::chrono::milliseconds(1000),
                              1 * kMiB};
/// Directory walks over sysfs/proc.
inline constexpr Budget kScan{std::chrono::milliseconds(60), std::chrono::milliseconds(3000),
                              4 * kMiB};
/// Large databases (dpkg status, apt lists) and external programs.
inline constexpr Budget kHeavy{std::chrono::milliseconds(150), std::chrono::milliseconds(15000),
                               16 * kMiB};
/// Waiting on the network or on a sampling window, little CPU.
inline constexpr Budget kWaiting{std::chrono::milliseconds(40), std::chrono::milliseconds(12000),
                                 1 * kMiB};

}  // namespace triage::agent::budgets
