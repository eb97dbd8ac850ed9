#pragma once
// triagectl's live view: `triagectl live DEVICE [--ticket N] [--minutes M]` opens a live
// session on a connected device (or joins the one running there), then prints a line per
// sample as the agent sends it — time, CPU, memory used, disk and network rates, the busiest
// process — and the new error lines under it, until the session ends. Interrupted, it stops a
// session it opened and leaves one it joined running. With --json each sample is one JSON line.
// What the endpoint reports is untrusted: it is sanitized before it reaches the terminal.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/triagectl/ctl_actions.hpp"

namespace triage::ctl {

/// The exit code after an interrupt (128 + SIGINT, as shells report it).
inline constexpr int kExitInterrupted = 130;

struct LiveCommand {
  std::string device_id;
  std::string ticket_id;  ///< "": not on a ticket
  int minutes = 0;        ///< 0: the collector's default (10)
  /// Between polls; unset: the session's interval_ms.
  std::optional<std::chrono::milliseconds> poll_interval;
};

/// The POST body for `command`; kInvalid for a ticket that is not a number, minutes outside
/// 1-10 or an empty device id.
Result<nlohmann::json> live_body(const LiveCommand& command);

/// One sample (GET /api/v1/live/{id}) as one line: "18:43:51  cpu  12.5%  mem  63.2%  disk r
/// 1.2 MiB/s w 0 B/s  net rx 3.4 KiB/s tx 812 B/s  top firefox 45.1%"; the time is UTC, a
/// value the sample lacks is "-".
std::string sample_line(const nlohmann::json& sample);
/// The sample's new error lines, one each ("  ! err sshd: message"), then how many were left
/// out, if any.
std::vector<std::string> error_lines(const nlohmann::json& sample);

/// Opens or joins the live view and prints its samples until it ends (0; kExitOrderNotRun when
/// the agent refused it) or `interrupted` is set (kExitInterrupted, after stopping a session
/// this call opened).
Result<int> run_live(const ApiCall& api, const LiveCommand& command, const Output& o,
                     const std::atomic<bool>& interrupted);

}  // namespace triage::ctl
