#pragma once
// Probe `listening`: the sockets this endpoint listens on (TCP in LISTEN, bound UDP) with the
// process holding each, as far as the agent can see them. One implementation per platform
// (linux/: /proc/net/{tcp,tcp6,udp,udp6} and /proc/<pid>/fd, read through the sysroot; root
// sees every process; windows/: the IP Helper's owner tables and the image name of each pid).

#include "agent/probes/probe.hpp"

namespace triage::agent {

void run_listening_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                         const ProbeEnvironment& env, v1::ProbeResult& result);

}  // namespace triage::agent
