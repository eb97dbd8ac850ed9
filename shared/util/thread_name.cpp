#include "shared/util/thread_name.hpp"

#include <string>

#if defined(__linux__)
#include <pthread.h>
#endif

namespace triage {

void name_this_thread(std::string_view name) {
#if defined(__linux__)
  // The kernel refuses names of 16 bytes or more (the terminating NUL included) instead of
  // cutting them.
  constexpr std::size_t kMaxNameBytes = 15;
  const std::string cut(name.substr(0, kMaxNameBytes));
  pthread_setname_np(pthread_self(), cut.c_str());
#else
  (void)name;
#endif
}

}  // namespace triage
