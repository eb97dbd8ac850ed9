#pragma once
// Which processes a snapshot reports: the busiest by CPU, then the largest by resident memory
// not already listed. One ranking for every platform's process source, so a Windows and a
// Linux snapshot name the same kind of processes.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace triage::agent {

/// What the ranking looks at of one process.
struct ProcessRank {
  std::uint32_t pid = 0;
  double cpu_percent = 0;
  std::uint64_t resident_bytes = 0;
};

/// Processes below this share of one CPU are idle, whatever their rank.
inline constexpr double kMinReportedCpuPercent = 0.05;

/// Indexes into `processes`: up to `per_list` busiest by CPU (at least kMinReportedCpuPercent),
/// then up to `per_list` largest by resident memory not among them. Ties go to the lower pid.
inline std::vector<std::size_t> rank_top_processes(const std::vector<ProcessRank>& processes,
                                                   std::size_t per_list) {
  std::vector<std::size_t> by(processes.size());
  for (std::size_t i = 0; i < by.size(); ++i) by[i] = i;
  std::vector<std::size_t> top;
  std::sort(by.begin(), by.end(), [&](std::size_t a, std::size_t b) {
    const auto &x = processes[a], &y = processes[b];
    return x.cpu_percent > y.cpu_percent || (x.cpu_percent == y.cpu_percent && x.pid < y.pid);
  });
  for (std::size_t i = 0; i < by.size() && i < per_list; ++i) {
    if (processes[by[i]].cpu_percent < kMinReportedCpuPercent) break;
    top.push_back(by[i]);
  }
  std::sort(by.begin(), by.end(), [&](std::size_t a, std::size_t b) {
    const auto &x = processes[a], &y = processes[b];
    return x.resident_bytes > y.resident_bytes ||
           (x.resident_bytes == y.resident_bytes && x.pid < y.pid);
  });
  for (std::size_t i = 0, added = 0; i < by.size() && added < per_list; ++i) {
    if (processes[by[i]].resident_bytes == 0) break;
    if (std::find(top.begin(), top.end(), by[i]) != top.end()) continue;
    top.push_back(by[i]);
    ++added;
  }
  return top;
}

}  // namespace triage::agent
