#include "agent/service/reconnect_policy.hpp"

#include <algorithm>

namespace triage::agent {

std::chrono::milliseconds reconnect_delay(transport::Backoff& backoff,
                                          std::optional<std::chrono::seconds> retry_after) {
  auto delay = backoff.next();
  if (retry_after) {
    delay = std::max<std::chrono::milliseconds>(delay, std::min(*retry_after, kMaxRetryAfter));
  }
  return delay;
}

}  // namespace triage::agent
