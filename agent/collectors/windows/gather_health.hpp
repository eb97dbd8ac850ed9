#pragma once
// The Win32 gatherers of the health sources: memory, volumes, printers (their answers'
// shapes: windows_sources/win_api_names.hpp). Windows only; each returns an error rather than
// throw, and the ones that can block on a device or a print server give up after a deadline.

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent {

/// "memory_status": GlobalMemoryStatusEx and GetPerformanceInfo.
Result<nlohmann::json> gather_memory_status();

/// "volumes": the drive letters, their volumes' file system, label, sizes and dirty bit.
Result<nlohmann::json> gather_volumes();

/// "printers": the Spooler service and, while it runs, printers and their jobs.
Result<nlohmann::json> gather_printers();

}  // namespace triage::agent
