#pragma once
// Which Windows services the restart-windows-service action may touch, and what it does to one,
// decided on the endpoint whatever the order says. Platform-neutral (the facts come from the
// Service Control Manager on Windows: actions/windows/restart_service_command.cpp), so the
// decisions are tested natively.
//
// Refused by name (windows_service_guard.cpp says why for each): this agent; the core that
// every process or session depends on (RPC, DCOM, the session and profile managers, SAM, ...);
// what protects or records the machine (Event Log, Defender, Security Center, the firewall and
// its filtering engine, key isolation); Remote Desktop (ends every remote session); servicing
// (TrustedInstaller, the Windows Installer: a restart can break an update or an install half
// way); the Task Scheduler. On a domain controller also the directory's own services (Netlogon,
// NTDS, the KDC, DNS, DFS Replication, ...): restarting them stops logons for the whole domain.
// Refused by state: drivers, disabled services, a service already starting or stopping, one
// with running dependents (stopping it would stop them too), and a stopped service that
// stopped cleanly (it was stopped on purpose or is started on demand): only a running service
// is restarted, and only a stopped one whose last exit was a failure is started.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::agent {

/// kDenied with the reason when `name` is not a service name the action accepts (letters,
/// digits, `_ . $ -`, at most 80, starting with a letter or digit) or is on the deny list that
/// holds on every Windows machine. Service names compare case-insensitively, as the SCM does.
Result<void> check_restartable_windows_service(std::string_view name);

/// kDenied when `name` is one of a domain controller's own services (checked on a DC only).
Result<void> check_restartable_on_domain_controller(std::string_view name);

/// How the Service Control Manager starts a service (QUERY_SERVICE_CONFIG's dwStartType).
enum class WinStartType { kBoot, kSystem, kAuto, kManual, kDisabled };

/// SERVICE_STATUS's dwCurrentState.
enum class WinServiceState {
  kStopped,
  kStartPending,
  kStopPending,
  kRunning,
  kContinuePending,
  kPausePending,
  kPaused
};

/// What the SCM says of one service, as restart-windows-service sees it.
struct WinServiceFacts {
  bool driver = false;  ///< a kernel or file system driver, not a Win32 service
  WinStartType start_type = WinStartType::kManual;
  WinServiceState state = WinServiceState::kStopped;
  /// dwWin32ExitCode and dwServiceSpecificExitCode of its last stop (0: clean; 1077,
  /// ERROR_SERVICE_NEVER_STARTED: not started since boot, no failure either).
  std::uint32_t win32_exit_code = 0;
  std::uint32_t service_exit_code = 0;
  bool accepts_stop = false;  ///< SERVICE_ACCEPT_STOP
  /// Names of services that depend on it and are not stopped.
  std::vector<std::string> active_dependents;
};

/// What restart-windows-service does to a service.
enum class RestartPlan {
  kStopThenStart,  ///< running (or paused): stop, wait, start
  kStart,          ///< stopped after a failure: start
};

/// The plan for `name` given its facts, or kDenied naming why nothing is done.
Result<RestartPlan> plan_service_restart(std::string_view name, const WinServiceFacts& facts);

/// "stopped", "running", "start pending", ... (for messages).
const char* win_service_state_name(WinServiceState state);

}  // namespace triage::agent
