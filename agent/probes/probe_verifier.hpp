#pragma once
// Everything the agent checks before it runs a probe, as a pure function: the signature and
// the request fields exactly as for orders (agent/actions/signed_request.hpp), then the
// probe's name and typed parameters and budgets (shared/probes/probe_params.hpp, the rules
// the collector applied too), and last the endpoint owner's probe policy. Each refusal is a
// kDenied Error whose message is the reason reported. The nonce's novelty and the rate bound
// are checked by the runner afterwards.

#include <optional>
#include <string>

#include "agent/actions/signed_request.hpp"
#include "agent/probes/probe_policy.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/probe.pb.h"

namespace triage::agent {

/// The verified payload, or kDenied with the reason.
Result<v1::ProbePayload> verify_probe(const v1::SignedProbe& probe,
                                      const SignedRequestChecks& checks, const ProbePolicy& policy);

/// The payload when its signature holds (whatever else is wrong), to record a refusal with
/// what it asked for; nullopt otherwise.
std::optional<v1::ProbePayload> signed_probe_payload(const v1::SignedProbe& probe,
                                                     const SignedRequestChecks& checks);

}  // namespace triage::agent
