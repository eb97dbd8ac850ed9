#pragma once
// Everything the agent checks before it streams a live view, as a pure function: the
// signature and the request fields as for orders and probes (agent/actions/signed_request.hpp),
// the session's length and sampling interval, and last the endpoint owner's policy ("live" in
// the `[probe_policy]` disabled list switches it off). Each refusal is a kDenied Error whose
// message is the reason reported. The nonce's novelty is checked by the streamer afterwards.

#include <chrono>
#include <optional>

#include "agent/actions/signed_request.hpp"
#include "agent/probes/probe_policy.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/live.pb.h"

namespace triage::agent {

/// The name the policy and the history know the live view by.
inline constexpr std::string_view kLiveProbeName = "live";
/// The longest a live view runs on one signed start (staff extend it with another).
inline constexpr std::chrono::minutes kLiveMaxLength{10};
inline constexpr std::uint32_t kLiveMinIntervalMs = 1000;
inline constexpr std::uint32_t kLiveMaxIntervalMs = 10'000;

/// The verified payload, or kDenied with the reason.
Result<v1::LivePayload> verify_live_start(const v1::SignedLiveStart& start,
                                          const SignedRequestChecks& checks,
                                          const ProbePolicy& policy);

/// The payload when its signature holds (whatever else is wrong), to record a refusal with
/// what it asked for; nullopt otherwise.
std::optional<v1::LivePayload> signed_live_payload(const v1::SignedLiveStart& start,
                                                   const SignedRequestChecks& checks);

}  // namespace triage::agent
