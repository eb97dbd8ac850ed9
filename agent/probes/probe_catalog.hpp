#pragma once
// The agent's probe catalog: one explicit table naming every probe and the function that runs
// it (probe_catalog.cpp). The names are those of shared/probes/probe_params.hpp.

#include <string_view>

#include "agent/probes/probe.hpp"

namespace triage::agent {

/// The function of probe `name`, or null when this build has no such probe.
ProbeFn find_probe(std::string_view name);

}  // namespace triage::agent
