// Windows resource probes for BudgetMeter: the process's private bytes (the CRT heap has no
// cheap "in use" counter; private bytes move with it) and GetThreadTimes.
#include <windows.h>

#include <psapi.h>

#include "agent/collectors/budget.hpp"

namespace triage::agent {

std::uint64_t heap_in_use_bytes() {
  PROCESS_MEMORY_COUNTERS_EX counters{};
  if (!::GetProcessMemoryInfo(::GetCurrentProcess(),
                              reinterpret_cast<PROCESS_MEMORY_COUNTERS*>(&counters),
                              sizeof counters)) {
    return 0;
  }
  return counters.PrivateUsage;
}

std::chrono::microseconds thread_cpu_time() {
  FILETIME created{}, exited{}, kernel{}, user{};
  if (!::GetThreadTimes(::GetCurrentThread(), &created, &exited, &kernel, &user)) return {};
  auto ticks = [](const FILETIME& t) {
    return (static_cast<std::uint64_t>(t.dwHighDateTime) << 32) | t.dwLowDateTime;
  };
  // 100 ns units.
  return std::chrono::microseconds((ticks(kernel) + ticks(user)) / 10);
}

}  // namespace triage::agent
