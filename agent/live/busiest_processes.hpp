#pragma once
// What each platform's sampler does with the processes it read: the busiest few by CPU (then by
// resident size) into the sample, and a counter's per-second rate. One place, so Linux and
// Windows rank and round alike.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/live/live_sampler.hpp"

namespace triage::agent::live {

struct ProcessUse {
  std::uint32_t pid = 0;
  std::string name;
  double cpu_percent = 0;  ///< of one core, over the interval
  std::uint64_t rss_bytes = 0;
};

/// Adds the kLiveTopProcesses busiest of `processes` to `out`, busiest first.
inline void add_busiest(std::vector<ProcessUse> processes, v1::LiveSample& out) {
  const auto keep = std::min<std::size_t>(processes.size(), kLiveTopProcesses);
  std::partial_sort(processes.begin(), processes.begin() + static_cast<std::ptrdiff_t>(keep),
                    processes.end(), [](const ProcessUse& a, const ProcessUse& b) {
                      if (a.cpu_percent != b.cpu_percent) return a.cpu_percent > b.cpu_percent;
                      return a.rss_bytes > b.rss_bytes;
                    });
  for (std::size_t i = 0; i < keep; ++i) {
    auto* p = out.add_top_processes();
    p->set_pid(processes[i].pid);
    p->set_name(std::move(processes[i].name));
    p->set_cpu_percent(static_cast<float>(processes[i].cpu_percent));
    p->set_rss_bytes(processes[i].rss_bytes);
  }
}

/// The per-second rate of a counter that moved from `before` to `after` in `seconds` (a
/// counter that went back, as after a device was removed, counts as no change).
inline std::uint64_t per_second(std::uint64_t before, std::uint64_t after, double seconds) {
  if (after < before || seconds <= 0) return 0;
  return static_cast<std::uint64_t>(static_cast<double>(after - before) / seconds);
}

}  // namespace triage::agent::live
