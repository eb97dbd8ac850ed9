#pragma once
// `triage-agent get-help --state DIR "what is wrong"`: hands the request to the running daemon
// through its local socket and reports honestly how far it got (queued, sent, ticket number),
// waiting a bounded time. When no daemon runs, it takes the snapshot itself and writes the
// request straight into the spool, for the daemon to send when it starts.

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>

#include "agent/service/agent_config.hpp"
#include "agent/state/agent_state.hpp"

namespace triage::agent {

struct GetHelpOptions {
  std::string text;
  /// How long to wait for a ticket number before reporting the state reached.
  std::chrono::seconds wait{15};
  /// "" = client_socket_path() (config, the service socket, STATE/agent.sock).
  std::filesystem::path socket;
};

/// Returns the exit code: 0 when the request is safely with the agent or in the spool (even
/// without a ticket number yet), 1 when it could not be filed, 2 for bad input.
int run_get_help(const StateDir& state, const AgentConfig& config, const GetHelpOptions& options,
                 std::ostream& out, std::ostream& err);

}  // namespace triage::agent
