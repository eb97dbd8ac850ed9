#pragma once
// The signed-in sessions of this PC and who is signed in to each, from the Terminal Services API
// (WTSEnumerateSessionsW, WTSQuerySessionInformationW). Windows only; any account may ask.

#include <vector>

#include "agent/actions/windows_shell_guard.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// Every session with its state, user and domain (empty for a session nobody is signed in to);
/// at most 1024 sessions. Fails when the system does not enumerate them.
Result<std::vector<UserSession>> list_user_sessions();

}  // namespace triage::agent
