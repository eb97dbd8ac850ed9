#pragma once
// uname(2) of the running kernel. Linux.

#include <string>

namespace triage::agent {

/// uname(2) machine of the running kernel ("x86_64"); "" when uname fails.
std::string live_machine_arch();

}  // namespace triage::agent
