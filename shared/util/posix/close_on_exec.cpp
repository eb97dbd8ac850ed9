#include "shared/util/close_on_exec.hpp"

#include <fcntl.h>

namespace triage {

void set_close_on_exec(int fd) {
  if (fd < 0) return;
  int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0 && (flags & FD_CLOEXEC) == 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace triage
