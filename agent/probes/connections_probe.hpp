#pragma once
// Probe `connections`: the network connections of one process (by pid), or of every process of
// one name — "which server is Outlook talking to, is it stuck in SYN_SENT?". TCP sockets in
// any state but LISTEN and connected UDP sockets, with both ends and the state. One
// implementation per platform (linux/: /proc/<pid>/fd socket links matched against
// /proc/net/{tcp,tcp6,udp,udp6}, read through the sysroot).

#include "agent/probes/probe.hpp"

namespace triage::agent {

void run_connections_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                           const ProbeEnvironment& env, v1::ProbeResult& result);

}  // namespace triage::agent
