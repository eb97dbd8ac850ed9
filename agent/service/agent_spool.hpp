#pragma once
// Opens the state directory's spool, carrying over the sequence counter of agents that kept
// it in a `next-seq` file.

#include "agent/spool/spool.hpp"
#include "agent/state/agent_state.hpp"

namespace triage::agent {

Result<spool::SpoolPtr> open_agent_spool(const StateDir& state, spool::SpoolLimits limits = {});

}  // namespace triage::agent
