#pragma once
// Which entries of the Windows print spool folder (%SystemRoot%\System32\spool\PRINTERS) the
// clear-windows-print-queue action deletes: the spooler keeps each job as a shadow file (.SHD,
// the job's settings) and a spool file (.SPL, its data), side by side in that one folder. Only
// those, only plain files in the folder itself: never a folder's content, never a link or
// junction (a reparse point would let the deletion reach a file elsewhere). Platform-neutral
// (tested natively); the endpoint side is actions/windows/print_queue_command.cpp.

#include <string_view>

namespace triage::agent {

/// One entry of the spool folder as the directory listing gives it.
struct SpoolEntry {
  std::string_view name;  ///< file name, no folder
  bool directory = false;
  bool reparse_point = false;  ///< FILE_ATTRIBUTE_REPARSE_POINT: a link, junction or cloud file
};

/// Whether the action deletes `entry`: a plain file named *.SHD or *.SPL (any case) with a
/// name before the extension.
bool is_spool_job_file(const SpoolEntry& entry);

}  // namespace triage::agent
