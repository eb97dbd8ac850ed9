#pragma once
// The state directory made private before the device key is written into it. Each platform has
// one implementation (Linux: linux/private_directory.cpp, mode 0700; Windows:
// windows/private_directory.cpp, prepare_state_directory()'s ACL for SYSTEM and
// Administrators, where %ProgramData% would otherwise let every user read it).

#include <filesystem>

#include "shared/util/result.hpp"

namespace triage::agent {

/// Creates `dir` (and its parents) readable by the agent's account and administrators only,
/// or makes an existing one so; refuses one that is not safe to adopt (kDenied).
Result<void> ensure_private_directory(const std::filesystem::path& dir);

}  // namespace triage::agent
