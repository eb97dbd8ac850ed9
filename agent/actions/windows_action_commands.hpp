#pragma once
// The agent's subcommands behind the built-in Windows actions: each does its work through the
// Win32 API (the Service Control Manager, the spool folder, the DNS client, the Terminal
// Services API), never through
// cmd.exe, PowerShell or another program. The definitions (shared/actions/builtin/*-windows*.toml
// and restart-windows-service.toml, clear-windows-print-queue.toml) run them as
// `C:\Program Files\triage\triage-agent.exe SUBCOMMAND ...`. Windows only: on Linux each says
// it is a Windows action and returns 2. Exit codes: 0 done; 1 the work failed part way (the
// message says what is left); 2 refused or could not start.

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>

namespace triage::agent {

/// `restart-service --name NAME`: restarts a running service, or starts one stopped after a
/// failure (windows_service_guard.hpp decides), waiting up to `wait` for each step.
int run_restart_windows_service(const std::string& name, std::ostream& out, std::ostream& err,
                                std::chrono::milliseconds wait = std::chrono::seconds(60));

/// `service-running --name NAME` (post-check): 0 when the service runs (waiting up to `wait`
/// while it is starting), 1 when it does not, 2 when it cannot be asked.
int run_windows_service_running(const std::string& name, std::ostream& out, std::ostream& err,
                                std::chrono::milliseconds wait = std::chrono::seconds(20));

/// What clear-print-queue works on; the defaults are the system's (tests use their own).
struct PrintQueueTarget {
  std::string spooler_service = "Spooler";
  /// Empty: %SystemRoot%\System32\spool\PRINTERS.
  std::filesystem::path spool_dir;
  std::chrono::milliseconds wait{30'000};
};

/// `clear-print-queue`: stops the spooler, deletes the jobs' files of the spool folder
/// (spool_job_files.hpp), starts the spooler again (also after a failed deletion).
int run_clear_windows_print_queue(const PrintQueueTarget& target, std::ostream& out,
                                  std::ostream& err);

/// `print-queue-empty` (post-check): 0 when the spooler runs and no job file is left.
int run_windows_print_queue_empty(const PrintQueueTarget& target, std::ostream& out,
                                  std::ostream& err);

/// `flush-dns`: empties the DNS client's cache (DnsFlushResolverCache).
int run_flush_windows_dns(std::ostream& out, std::ostream& err);

/// `reboot --delay-minutes N` (the reboot-windows action): asks Windows to restart in N minutes
/// (1 to 60; InitiateSystemShutdownExW, applications closed then), showing logged-on users the
/// helpdesk's notice meanwhile. Returns once the restart is scheduled.
int run_reboot_windows(unsigned delay_minutes, std::ostream& out, std::ostream& err);

/// `renew-dhcp`: renews the lease of every adapter that gets its address by DHCP (IpRenewAddress;
/// the address is not released first, so the connection stays up when the server answers).
int run_renew_windows_dhcp(std::ostream& out, std::ostream& err);

/// What restart-explorer works on; the defaults are the system's (tests use their own).
struct ExplorerTarget {
  /// Empty: the Windows directory (GetSystemWindowsDirectoryW). Explorer is `explorer.exe` and
  /// Winlogon `System32\winlogon.exe` there.
  std::filesystem::path windows_dir;
  /// How long the ended Explorer processes get to exit.
  std::chrono::milliseconds exit_wait{10'000};
  /// How long Winlogon (AutoRestartShell) gets to start the shell again before the action does.
  std::chrono::milliseconds restart_grace{5'000};
  /// explorer-running: how long to wait for Explorer to come up.
  std::chrono::milliseconds running_wait{20'000};
};

/// `restart-explorer --user NAME` (the restart-explorer-windows action): in the one signed-in
/// session of account NAME (`user` or `DOMAIN\user`, windows_shell_guard.hpp), ends the
/// processes whose image is `explorer.exe` of the Windows directory and that the user owns,
/// waits for them to exit, and starts Explorer again with the user's token on the user's
/// desktop, unless Winlogon already did. The user stays signed in; open File Explorer windows
/// close. Needs SYSTEM (WTSQueryUserToken).
int run_restart_windows_explorer(const std::string& user, const ExplorerTarget& target,
                                 std::ostream& out, std::ostream& err);

/// `explorer-running --user NAME` (post-check): 0 when Explorer runs in NAME's session (waiting
/// up to target.running_wait), 1 when it does not or NAME has no session, 2 when it cannot be
/// asked (a refused name, the system does not answer).
int run_windows_explorer_running(const std::string& user, const ExplorerTarget& target,
                                 std::ostream& out, std::ostream& err);

}  // namespace triage::agent
