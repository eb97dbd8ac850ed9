#include "agent/collectors/agent_platform.hpp"

namespace triage::agent {

std::string agent_platform() { return "linux"; }

}  // namespace triage::agent
