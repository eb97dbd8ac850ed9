// Raw bytes to standard output on POSIX: write(2) on descriptor 1, retried after EINTR.
#include "shared/util/standard_output.hpp"

#include <unistd.h>

#include <cerrno>

namespace triage {

bool write_standard_output(std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace triage
