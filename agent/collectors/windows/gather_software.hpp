#pragma once
// The Win32 gatherers of the software area: Windows Update, services, processes (their JSON
// shapes: win_api_names.hpp). Windows only; each returns an error instead of throwing.

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent {

/// win_api::kWindowsUpdate: a Windows Update Agent search (online, else Windows' last scan)
/// and the history's last successful installation. Gives up after about a minute.
Result<nlohmann::json> gather_windows_update();

/// win_api::kServices: every Win32 service with its configuration.
Result<nlohmann::json> gather_services();

/// win_api::kProcesses: every process, sampled twice ~250 ms apart.
Result<nlohmann::json> gather_processes();

}  // namespace triage::agent
