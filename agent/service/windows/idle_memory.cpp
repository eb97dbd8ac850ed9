// Idle memory on Windows: the working set is trimmed (its pages stay in the standby list and
// come back on the next touch, as dropped clean pages do on Linux) and the CRT heap gives its
// free blocks back.
#include <windows.h>

#include <malloc.h>
#include <psapi.h>

#include "agent/service/idle_memory.hpp"

namespace triage::agent {
namespace {

std::size_t working_set_bytes() {
  PROCESS_MEMORY_COUNTERS counters{};
  if (!::GetProcessMemoryInfo(::GetCurrentProcess(), &counters, sizeof counters)) return 0;
  return counters.WorkingSetSize;
}

}  // namespace

std::size_t release_idle_memory() {
  release_free_heap();
  const auto before = working_set_bytes();
  ::SetProcessWorkingSetSize(::GetCurrentProcess(), static_cast<SIZE_T>(-1),
                             static_cast<SIZE_T>(-1));
  const auto after = working_set_bytes();
  return before > after ? before - after : 0;
}

void release_free_heap() { ::_heapmin(); }

}  // namespace triage::agent
