#pragma once
// Probe `disk_usage`: what fills the disk under one directory: the total below it and the
// largest directories down to the request's depth, largest first. Symbolic links are not
// followed and other filesystems are not entered; the walk stops at the time budget and
// reports what it counted so far. The walk is the same everywhere (std::filesystem); what one
// entry is comes from the platform (directory_entry_facts.hpp). As root or SYSTEM it sees
// every file.

#include "agent/probes/probe.hpp"

namespace triage::agent {

void run_disk_usage_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                          const ProbeEnvironment& env, v1::ProbeResult& result);

}  // namespace triage::agent
