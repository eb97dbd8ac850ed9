#pragma once
// Probe `log_lines`: what one service logged lately ("what did the print service say in the
// last ten minutes?"), filtered by level and time, the newest lines kept up to the request's
// cap, each message redacted like the diagnostics' log excerpts. One implementation per
// platform (linux/: the systemd journal through sd-journal, read in place — no journalctl is
// started; under a sysroot, the journal files below it).

#include "agent/probes/probe.hpp"

namespace triage::agent {

void run_log_lines_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                         const ProbeEnvironment& env, v1::ProbeResult& result);

}  // namespace triage::agent
