// uname(2) machine field, for kernels older than 6.1 that lack /proc/sys/kernel/arch.
#include <sys/utsname.h>

#include "agent/collectors/linux/uname.hpp"

namespace triage::agent {

std::string live_machine_arch() {
  utsname u{};
  if (::uname(&u) != 0) return {};
  return u.machine;
}

}  // namespace triage::agent
