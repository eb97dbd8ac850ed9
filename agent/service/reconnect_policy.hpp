#pragma once
// How long to wait before the next connection attempt: the jittered backoff, but never less
// than what the collector asked for in a Refusal (capped, so a bad value cannot park an
// agent for days).

#include <chrono>
#include <optional>

#include "shared/transport/backoff.hpp"

namespace triage::agent {

/// Longest retry_after honoured.
inline constexpr std::chrono::seconds kMaxRetryAfter{3600};

/// Draws the next backoff delay and applies `retry_after`.
std::chrono::milliseconds reconnect_delay(transport::Backoff& backoff,
                                          std::optional<std::chrono::seconds> retry_after);

}  // namespace triage::agent
