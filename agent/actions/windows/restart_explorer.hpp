#pragma once
// restart-explorer and explorer-running once the session is chosen
// (restart_explorer_command.cpp): the platform tests run them on their own session, since the
// session list Wine gives is empty. Windows only.

#include <ostream>

#include "agent/actions/windows_action_commands.hpp"
#include "agent/actions/windows_shell_guard.hpp"

namespace triage::agent {

/// Restarts the Explorer of `session`'s user in that session (run_restart_windows_explorer's
/// work after the name is resolved); same output and exit codes.
int restart_explorer_in_session(const UserSession& session, const ExplorerTarget& target,
                                std::ostream& out, std::ostream& err);

/// 0 once an Explorer runs in `session` (waiting up to target.running_wait), 1 when none does,
/// 2 when the process table cannot be read.
int explorer_running_in_session(const UserSession& session, const ExplorerTarget& target,
                                std::ostream& out, std::ostream& err);

}  // namespace triage::agent
