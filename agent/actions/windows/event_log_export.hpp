#pragma once
// The Windows log bundle's raw material: the event logs it exports (EvtExportLog, the API behind
// `wevtutil epl`) and the private folder they are exported into. Windows only.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/util/result.hpp"

namespace triage::agent {

/// An event log channel the bundle carries.
struct EventLogChannel {
  /// The channel path: "System", "Microsoft-Windows-WindowsUpdateClient/Operational".
  std::wstring path;
  /// The .evtx file's name in the archive.
  std::string file_name;
  /// Optional channels are not on every machine; their absence is reported, not an error.
  bool optional = false;
};

/// System, Application, Setup and Windows Update's Operational log, in the order they are kept
/// when the archive is too small for all of them (the first is kept longest).
const std::vector<EventLogChannel>& log_bundle_channels();

/// The outcome of one export.
struct EventLogExport {
  /// Bytes written ("" error); the file is at the target path.
  std::uint64_t bytes = 0;
  /// Why there is no file: the system's error text ("" = exported).
  std::string error;
  /// The channel does not exist on this machine.
  bool absent = false;
};

/// Exports the events of `channel` created in the last `hours` hours into `target` (a new
/// .evtx file; it must not exist). EvtExportLog runs in the Event Log service and may take
/// seconds for a large log; the result is bounded by the channel's own maximum size.
EventLogExport export_event_log(const std::wstring& channel, unsigned hours,
                                const std::filesystem::path& target);

/// A new folder readable by SYSTEM and Administrators only (kStateDirectorySddl, not inherited
/// from its parent), removed with its content when this goes away, whatever happened.
class PrivateWorkFolder {
 public:
  /// Creates "triage-log-bundle-<random>" under `parent`; never adopts an existing folder.
  static Result<PrivateWorkFolder> create(const std::filesystem::path& parent);
  PrivateWorkFolder(PrivateWorkFolder&& other) noexcept;
  PrivateWorkFolder& operator=(PrivateWorkFolder&&) = delete;
  PrivateWorkFolder(const PrivateWorkFolder&) = delete;
  ~PrivateWorkFolder();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit PrivateWorkFolder(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

/// The folder the bundle works in by default: the system's temporary folder of the account it
/// runs as (for SYSTEM, C:\Windows\SystemTemp, or C:\Windows\Temp before Windows 11).
std::filesystem::path default_work_parent();

}  // namespace triage::agent
