#pragma once
// Probe `reach`: can this endpoint open a TCP connection to HOST:PORT, through which address
// and how fast; with `tls`, what the handshake shows (protocol, cipher, chain, names, expiry)
// and whether the chain verifies against the endpoint's trust store for that name. Any
// platform with Asio and OpenSSL; no privilege; one connection, closed at once.

#include "agent/probes/probe.hpp"

namespace triage::agent {

void run_reach_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                     const ProbeEnvironment& env, v1::ProbeResult& result);

}  // namespace triage::agent
