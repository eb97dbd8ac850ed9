#pragma once
// `triage-agent run`: the daemon assembled — configuration, identity, spool, the connected
// runtime, the local help socket, and signal handling — on one I/O thread.

#include <chrono>
#include <filesystem>
#include <optional>

#include "agent/collectors/snapshot_options.hpp"
#include "agent/service/agent_config.hpp"
#include "agent/state/agent_state.hpp"

namespace triage::agent {

/// Snapshot options from the configuration; `collector_host`/`port` feed the reachability
/// probe.
SnapshotOptions snapshot_options(const AgentConfig& config, const std::string& collector_host,
                                 const std::string& collector_port);

/// Where the daemon listens for `get-help`: the config's ipc.socket, else
/// $RUNTIME_DIRECTORY/agent.sock (systemd), else STATE/agent.sock.
std::filesystem::path daemon_socket_path(const StateDir& state, const AgentConfig& config);

/// Where `get-help` looks for it: the config's ipc.socket, else kSystemSocket when it exists,
/// else STATE/agent.sock.
std::filesystem::path client_socket_path(const StateDir& state, const AgentConfig& config);

/// The socket of the packaged service (RuntimeDirectory=triage-agent).
inline constexpr const char* kSystemSocket = "/run/triage-agent/agent.sock";

/// Runs until SIGINT/SIGTERM. `report_interval` (--report-interval) wins over the config.
/// Throws on startup errors (not enrolled, bad spool, socket in use).
int run_daemon(const StateDir& state, const AgentConfig& config,
               std::optional<std::chrono::seconds> report_interval);

}  // namespace triage::agent
