#pragma once
// Probe `resolve`: what the endpoint's own resolver (getaddrinfo: hosts file, nsswitch, the
// configured DNS servers) answers for one name, and how long it took. Any platform; no
// privilege.

#include "agent/probes/probe.hpp"

namespace triage::agent {

void run_resolve_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                       const ProbeEnvironment& env, v1::ProbeResult& result);

}  // namespace triage::agent
