#pragma once
// `triage-agent run`: the daemon assembled — configuration, identity, spool, the connected
// runtime, the local help endpoint, and the service manager's stop request — on one I/O
// thread.

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

/// Where the daemon listens for `get-help`: the config's ipc.socket, else the service manager's
/// runtime directory (service_manager_ipc_endpoint()), else STATE/agent.sock.
std::filesystem::path daemon_socket_path(const StateDir& state, const AgentConfig& config);

/// Where `get-help` looks for it: the config's ipc.socket, else the packaged service's endpoint
/// (system_paths().service_ipc_endpoint) when it exists, else STATE/agent.sock.
std::filesystem::path client_socket_path(const StateDir& state, const AgentConfig& config);

/// Runs until the system asks it to stop (watch_stop_requests()). `report_interval`
/// (--report-interval) wins over the config. Throws on startup errors (not enrolled, bad spool,
/// socket in use).
int run_daemon(const StateDir& state, const AgentConfig& config,
               std::optional<std::chrono::seconds> report_interval);

}  // namespace triage::agent
