#pragma once
// The agent and the system's service manager: `triage-agent service install|uninstall`, and the
// daemon run the way the manager expects. Each platform has one implementation (Linux:
// linux/service_command.cpp, where the packages' systemd unit does both; Windows:
// windows/service_command.cpp, the Service Control Manager).

#include <functional>
#include <iosfwd>
#include <string>

namespace triage::agent {

/// What `service` does: "install" registers this program as the service that runs `run` at
/// boot (replacing the settings of one already registered), "uninstall" stops and removes it.
/// Prints what it did to `out`, or why not to `err`; returns the exit code.
int run_service_command(const std::string& action, std::ostream& out, std::ostream& err);

/// Runs `daemon` and returns its exit code: under the Service Control Manager's dispatcher
/// when the manager started this process (Windows), else directly. Call from the main thread.
int run_under_service_manager(const std::function<int()>& daemon);

}  // namespace triage::agent
