#pragma once
// `triage-agent log-bundle --hours N`: the endpoint side of the collect-log-bundle actions. Writes
// one gzip-compressed tar archive to stdout, never larger than --max-bytes (the order's output
// cap), holding the agent's own status and a manifest naming what was included, cut short or
// missing, besides the logs:
// - Linux (linux/log_bundle_command.cpp, collect-log-bundle): the journal of the last N hours
//   (journalctl, its argv only), the kernel ring buffer (dmesg), the tails of selected /var/log
//   files;
// - Windows (windows/log_bundle_command.cpp, collect-windows-log-bundle): the System,
//   Application and Setup event logs (and Windows Update's, when present) of the last N hours,
//   exported with EvtExportLog.
// Read-only: it changes nothing on the machine. The collector stores the bytes as a ticket
// attachment. build_log_bundle() is per platform; run_log_bundle() (log_bundle_command.cpp)
// is shared.

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "shared/util/fs_root.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// The default and largest archive: the largest output an order may carry (4 MiB).
inline constexpr std::size_t kLogBundleMaxBytes = 4 * 1024 * 1024;

struct LogBundleOptions {
  /// How far back the journal goes: 1..168.
  unsigned hours = 24;
  /// The archive never exceeds this (Linux cuts files from their start to fit; Windows exports
  /// a shorter window of a log, or leaves it out).
  std::size_t max_bytes = kLogBundleMaxBytes;
  /// The agent's state directory, for its status ("" = not included).
  std::string state_dir;
  /// Commands (journalctl, dmesg) run only for the live machine ("/"). Linux only.
  std::string sysroot = "/";
};

/// The /var/log files whose tails the bundle carries, when present. Linux only.
const std::vector<std::string>& log_bundle_files();

/// Builds the archive in memory.
Result<std::string> build_log_bundle(const LogBundleOptions& options);

/// Writes the archive to standard output, unchanged (binary mode on Windows); 0 on success, 2
/// with a message on `err` otherwise.
int run_log_bundle(const LogBundleOptions& options, std::ostream& err);

}  // namespace triage::agent
