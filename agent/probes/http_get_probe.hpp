#pragma once
// Probe `http_get`: one GET of an http(s) URL as this endpoint sees it: per hop the address,
// connect, first-byte and total times, the status and the redirect it names (followed up to
// the request's bound, each target checked like the first), TLS details on https hops, and a
// small prefix of the last body (redacted, capped by the output budget; the rest is never
// read). Direct connections only: the endpoint's proxy settings are not applied. Any
// platform; no privilege.

#include <string>

#include "agent/probes/probe.hpp"

namespace triage::agent {

void run_http_get_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                        const ProbeEnvironment& env, v1::ProbeResult& result);

/// The absolute URL a Location header names from `base` ("" when it cannot be followed).
std::string redirect_target(const std::string& base, const std::string& location);

}  // namespace triage::agent
