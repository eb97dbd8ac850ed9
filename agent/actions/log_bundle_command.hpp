#pragma once
// `triage-agent log-bundle --hours N`: the endpoint side of the collect-log-bundle action. Writes
// one gzip-compressed tar archive to stdout, never larger than --max-bytes (the order's output
// cap): the journal of the last N hours (journalctl, its argv only), the kernel ring buffer
// (dmesg), the tails of selected /var/log files, the agent's own status, and a manifest naming
// what was included, cut short or missing. Read-only: it changes nothing on the machine.
// The collector stores the bytes as a ticket attachment.

#include <cstddef>
#include <ostream>
#include <string>

#include "shared/util/fs_root.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// The default and largest archive: the largest output an order may carry (4 MiB).
inline constexpr std::size_t kLogBundleMaxBytes = 4 * 1024 * 1024;

struct LogBundleOptions {
  /// How far back the journal goes: 1..168.
  unsigned hours = 24;
  /// The archive never exceeds this (files are cut from their start to fit).
  std::size_t max_bytes = kLogBundleMaxBytes;
  /// The agent's state directory, for its status ("" = not included).
  std::string state_dir;
  /// Commands (journalctl, dmesg) run only for the live machine ("/").
  std::string sysroot = "/";
};

/// The /var/log files whose tails the bundle carries, when present.
const std::vector<std::string>& log_bundle_files();

/// Builds the archive in memory.
Result<std::string> build_log_bundle(const LogBundleOptions& options);

/// Writes the archive to `out`; 0 on success, 2 with a message on `err` otherwise.
int run_log_bundle(const LogBundleOptions& options, std::ostream& out, std::ostream& err);

}  // namespace triage::agent
