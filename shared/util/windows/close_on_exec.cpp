// Close-on-exec on Windows: a socket or file handle is kept out of child processes by clearing
// its HANDLE_FLAG_INHERIT (Asio creates sockets inheritable).
#include "shared/util/close_on_exec.hpp"

#include <windows.h>

#include <cstdint>

namespace triage {

void set_close_on_exec(int fd) {
  if (fd < 0) return;
  // Socket handles are small values; the caller passes the SOCKET it got from Asio.
  auto handle = reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(static_cast<unsigned>(fd)));
  ::SetHandleInformation(handle, HANDLE_FLAG_INHERIT, 0);
}

}  // namespace triage
