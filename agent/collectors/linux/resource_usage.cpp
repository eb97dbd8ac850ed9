// Linux/glibc resource probes for BudgetMeter: mallinfo2 and CLOCK_THREAD_CPUTIME_ID.
#include <malloc.h>
#include <time.h>

#include "agent/collectors/budget.hpp"

namespace triage::agent {

std::uint64_t heap_in_use_bytes() {
  struct mallinfo2 mi = ::mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

std::chrono::microseconds thread_cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::microseconds(static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000);
}

}  // namespace triage::agent
