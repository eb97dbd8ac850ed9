// Linux/glibc resource probes for BudgetMeter: mallinfo2 and CLOCK_THREAD_CPUTIME_ID.
#include <malloc.h>
#include <time.h>

#include "agent/collectors/budget.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// The sanitizer runtimes replace malloc, and glibc's mallinfo2 then counts nothing: without
// this, a sanitizer build (make sanitize, make tsan) enforces no heap budget at all.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace triage::agent {

std::uint64_t heap_in_use_bytes() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return __sanitizer_get_current_allocated_bytes();
#else
  struct mallinfo2 mi = ::mallinfo2();
  return mi.uordblks + mi.hblkhd;
#endif
}

std::chrono::microseconds thread_cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::microseconds(static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000);
}

}  // namespace triage::agent
