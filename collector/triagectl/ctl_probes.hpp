#pragma once
// triagectl's diagnostic probes: `triagectl probe DEVICE PROBE [TARGET]` runs one read-only
// probe on a connected device (reach host:port [--tls], resolve NAME [--each-server],
// http_get URL, listening, disk_usage PATH, connections PID|NAME, log_lines SOURCE [--level
// --since --lines], path HOST [--max-hops]), waits for the agent's answer and prints it for
// people (a TLS chain with expiry marks, each DNS server's answers, redirects as hops, tables
// of sockets, connections, directories, log lines and hops). What the endpoint returns is
// untrusted: it is sanitized before it reaches the terminal.

#include <chrono>
#include <string>

#include "collector/triagectl/ctl_actions.hpp"

namespace triage::ctl {

struct ProbeCommand {
  std::string device_id;
  std::string probe;
  std::string target;  ///< host:port, name, URL, path, pid or process name, source, by probe
  bool tls = false;
  std::string server_name;
  bool each_server = false;  ///< resolve: also ask each configured DNS server
  std::string min_level;     ///< log_lines: "" = the collector's default (warning)
  int since_minutes = 0;     ///< log_lines; 0: the collector's default
  int max_lines = 0;         ///< log_lines; 0: the collector's default
  int max_hops = 0;          ///< path; 0: the collector's default
  std::string ticket_id;
  int max_redirects = -1;  ///< -1: the collector's default
  int max_depth = 0;       ///< 0: the collector's default
  int top = 0;
  int time_budget_ms = 0;
  int output_budget_bytes = 0;
  bool wait = true;
  std::chrono::milliseconds poll_interval{200};
};

/// The POST body for `command`; kInvalid for a target the probe cannot take ("host:1-100"),
/// or an option meant for another probe. For connections, a target of digits only is a pid,
/// anything else a process name.
Result<nlohmann::json> probe_body(const ProbeCommand& command);

/// Runs the probe; with `wait`, polls until the agent answered and returns the exit code for
/// the run (0 completed, kExitOrderFailed failed or unanswered, kExitOrderNotRun refused).
Result<int> run_probe(const ApiCall& api, const ProbeCommand& command, const Output& o);
/// GET /api/v1/probes/{id}, printed.
Result<void> show_probe(const ApiCall& api, const std::string& id, const Output& o);

}  // namespace triage::ctl
