#pragma once
// What the live view samples once a second: the machine's CPU, memory, disk and network
// rates, its busiest processes and the error lines logged since the last sample. One
// implementation per platform (linux/, windows/); make_live_sampler() picks it. A sampler
// keeps the previous counters, so every sample after the first holds rates over the interval
// between them; the first only sets the baseline.

#include <memory>
#include <string>

#include "shared/util/result.hpp"
#include "triage/v1/live.pb.h"

namespace triage::agent {

/// Busiest processes reported per sample, at most.
inline constexpr int kLiveTopProcesses = 5;
/// Error lines reported per sample, at most (the rest are counted).
inline constexpr int kLiveErrorLines = 10;
/// One error line is cut at this many bytes.
inline constexpr std::size_t kLiveErrorLineBytes = 1024;

class LiveSampler {
 public:
  virtual ~LiveSampler() = default;
  /// Fills everything but the session id, seq and time. Never throws for what the machine
  /// does not have (no swap, no journal): that part stays empty.
  virtual void sample(v1::LiveSample& out) = 0;
};

/// The platform's sampler reading the machine under `sysroot` ("/" or "": this machine), its
/// baseline taken; kFailed with the reason where this platform has none.
Result<std::unique_ptr<LiveSampler>> make_live_sampler(const std::string& sysroot);

}  // namespace triage::agent
