#pragma once
// Snapshots in a short-lived child process. The daemon runs its own binary as
// `triage-agent snapshot-helper ...` (posix_spawn + exec, never a bare fork of the threaded
// daemon), reads the serialized Snapshot from the child's stdout with a size cap and a
// deadline, and so never maps the collectors' code nor grows its heap for a snapshot. A child
// that crashes, hangs, exits non-zero or writes too much or garbage costs that snapshot only:
// the result is a snapshot whose one collector status, kSnapshotProcessStatus, says why.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/cooldown.hpp"
#include "agent/collectors/snapshot_options.hpp"
#include "agent/service/own_executable.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Name (and category) of the collector status reporting a failed snapshot process.
inline constexpr std::string_view kSnapshotProcessStatus = "snapshot_process";
/// The hidden subcommand the child runs.
inline constexpr std::string_view kSnapshotHelperCommand = "snapshot-helper";

/// How the daemon runs the snapshot process.
struct SnapshotProcessOptions {
  /// The agent binary: own_executable(), so daemon and helper are always the same version.
  std::filesystem::path executable = own_executable();
  /// Arguments before the subcommand (the daemon passes its --log-level and --log-format).
  std::vector<std::string> leading_args;
  /// Longer than any healthy snapshot (collectors have their own budgets); then the child's
  /// process group is terminated.
  std::chrono::milliseconds timeout{120'000};
  /// Larger than any snapshot the transport would accept.
  std::size_t max_bytes = 8 * 1024 * 1024;
};

/// The arguments after the subcommand that make the helper collect with `options`.
std::vector<std::string> snapshot_helper_args(const SnapshotOptions& options);

/// The inverse of snapshot_helper_args(), for the child.
Result<SnapshotOptions> parse_snapshot_helper_args(const std::vector<std::string>& args);

/// Takes one snapshot in a child process. Never throws.
v1::Snapshot take_snapshot_in_child(const SnapshotOptions& options,
                                    const SnapshotProcessOptions& process);

/// True for the snapshot take_snapshot_in_child() returns when the child failed.
bool is_failed_snapshot(const v1::Snapshot& snapshot);

/// Brings the daemon's cool-downs up to date with a child's snapshot, whose own tracker
/// started empty: over-budget collectors get a strike (and their retry time from `cooldown`),
/// collectors that ran within budget are cleared.
void record_cooldowns(CooldownTracker& cooldown, v1::Snapshot& snapshot,
                      CooldownTracker::Clock::time_point now);

/// The child's side: collects with `options` and writes the serialized Snapshot to stdout.
/// Returns the process exit status.
int run_snapshot_helper(const SnapshotOptions& options);

}  // namespace triage::agent
