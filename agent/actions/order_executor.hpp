#pragma once
// Runs one verified order through the process runner: its argv exactly (no shell), a scrubbed
// environment (fixed PATH, LANG=C, nothing inherited), working directory /, stdin from
// /dev/null, the order's timeout (then SIGTERM and, after a grace, SIGKILL of the whole
// process group) and output cap. Then the post-check, if the order has one and the action
// succeeded. A cancellation (options.cancel_fd) ends the action like a timeout and skips the
// post-check; an action that exited before it was seen has finished and reports as such.
// Blocks: call it off the I/O thread.

#include <chrono>
#include <functional>
#include <string_view>

#include "shared/util/process_runner.hpp"
#include "triage/v1/order.pb.h"

namespace triage::agent {

/// Bytes of output kept in OrderResult.output_excerpt.
inline constexpr std::size_t kOutputExcerptBytes = 4096;

struct ExecutorOptions {
  /// Between SIGTERM and SIGKILL after a timeout.
  std::chrono::milliseconds kill_grace{2000};
  /// Readable = cancel the action (see RunRequest::cancel_fd); -1 = not cancellable.
  int cancel_fd = -1;
};

/// Runs `order`; `on_output` gets every chunk within the cap, on the calling thread.
v1::OrderResult execute_order(const v1::OrderPayload& order, const OutputCallback& on_output,
                              const ExecutorOptions& options = {});

}  // namespace triage::agent
