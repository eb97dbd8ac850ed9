#pragma once
// The agent as a Windows service: the Service Control Manager's side of service_control.hpp
// (run under the dispatcher, report the service's state) and `triage-agent.exe service
// install|uninstall` for use without the MSI. Windows only.

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::agent {

/// The service's name in the Service Control Manager.
inline constexpr wchar_t kServiceName[] = L"triage-agent";

/// When the Service Control Manager started this process: connects to it, reports the
/// service running, calls `body` (the daemon; it learns of stop and pre-shutdown requests
/// through watch_stop_requests()), reports the service stopped with body's exit code, and
/// returns that code. Returns nullopt at once when this process was started some other way
/// (a console): the caller then runs the daemon itself. Call from the main thread.
std::optional<int> run_as_windows_service(std::function<int()> body,
                                          const std::wstring& name = kServiceName);

/// How `service install` registers the agent.
struct ServiceInstallOptions {
  std::wstring name = kServiceName;
  std::wstring display_name = L"triage agent";
  std::wstring description =
      L"Helpdesk diagnostics for this PC; runs only signed, approved actions.";
  /// The program; its path is quoted in the service's command line.
  std::filesystem::path executable;
  /// Arguments after the program ("run").
  std::vector<std::string> arguments{"run"};
  /// How long Windows waits at shutdown for the agent to finish (pre-shutdown).
  std::chrono::milliseconds preshutdown_timeout{30'000};
  /// Started at boot (true) or on demand.
  bool start_at_boot = true;
};

/// Registers the service (LocalSystem, its own process, restarted after a failure), or updates
/// the command line and settings of an existing one. Needs an administrator.
Result<void> install_service(const ServiceInstallOptions& options);

/// Stops the service (waiting up to `stop_wait` for it) and removes it. kNotFound when no such
/// service is registered.
Result<void> uninstall_service(const std::wstring& name = kServiceName,
                               std::chrono::milliseconds stop_wait = std::chrono::seconds(30));

}  // namespace triage::agent
