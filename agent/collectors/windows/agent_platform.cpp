#include "agent/collectors/agent_platform.hpp"

namespace triage::agent {

std::string agent_platform() { return "windows"; }

}  // namespace triage::agent
