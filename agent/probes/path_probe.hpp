#pragma once
// Probe `path`: where the route to one host stops ("the VPN gateway is unreachable: is it the
// PC, the home router or the ISP?"). Datagrams to the host with a time-to-live raised hop by
// hop, each router on the way answering "time exceeded" and the host itself "port
// unreachable", as traceroute and tracepath do: one datagram per hop, a second per hop at
// most, never more than `max_hops` (≤ 30) hops and the time budget. One implementation per
// platform (linux/: UDP with IP_RECVERR, which needs no privilege and no raw socket).

#include "agent/probes/probe.hpp"

namespace triage::agent {

void run_path_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                    const ProbeEnvironment& env, v1::ProbeResult& result);

}  // namespace triage::agent
