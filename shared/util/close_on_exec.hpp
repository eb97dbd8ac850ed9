#pragma once
// Close-on-exec for descriptors opened by code that does not ask for it: Boost.Asio 1.74 opens
// sockets with plain socket() and accept(). Defence in depth only: run_process() closes every
// descriptor above 2 in the child anyway.

namespace triage {

/// Sets FD_CLOEXEC on `fd`; a negative `fd` is ignored.
void set_close_on_exec(int fd);

}  // namespace triage
