#pragma once
// `triage-agent history --state DIR [--json]`: what this endpoint ran or refused, for its
// owner, from the agent's own hash-chained journal. Exits 1 when the chain is broken.

#include <ostream>

#include "agent/state/agent_state.hpp"

namespace triage::agent {

int run_history(const StateDir& state, bool json, std::ostream& out, std::ostream& err);

}  // namespace triage::agent
