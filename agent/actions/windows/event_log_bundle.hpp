#pragma once
// The Windows log bundle with its exporter as a parameter: the agent's build_log_bundle() passes
// export_event_log(); the tests pass a stand-in that writes files of known sizes, so the cap
// (shorter windows, logs left out) is exercised where the Event Log service is not (Wine).
// Windows only.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "agent/actions/log_bundle_command.hpp"
#include "agent/actions/windows/event_log_export.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

/// Exports one channel's last `hours` hours into `target` (a new file).
using EventLogExporter = std::function<EventLogExport(
    const EventLogChannel& channel, unsigned hours, const std::filesystem::path& target)>;

struct EventLogBundleSetup {
  EventLogExporter exporter;
  /// Where the private work folder is made (and removed again).
  std::filesystem::path work_parent;
  std::vector<EventLogChannel> channels;
};

/// The archive: each channel's .evtx, agent-status.json and manifest.json under triage-logs/,
/// at most options.max_bytes. An .evtx cut short is unreadable, so none is cut: while the
/// archive is too large the largest log is exported again over half its window (its oldest
/// events go), down to one hour, and then left out; the manifest says which and why.
Result<std::string> build_event_log_bundle(const LogBundleOptions& options,
                                           const EventLogBundleSetup& setup);

}  // namespace triage::agent
