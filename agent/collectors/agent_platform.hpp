#pragma once
// The platform this agent is built for, named as action definitions and orders name it. Each
// platform's implementation is one line (linux/agent_platform.cpp, windows/agent_platform.cpp).

#include <string>

namespace triage::agent {

/// "linux" or "windows": sent in the hello's device facts; orders for another are refused.
std::string agent_platform();

}  // namespace triage::agent
