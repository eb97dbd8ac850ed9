#include "agent/service/own_executable.hpp"

namespace triage::agent {

std::filesystem::path own_executable() { return "/proc/self/exe"; }

}  // namespace triage::agent
