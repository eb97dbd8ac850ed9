#pragma once
// Where the agent's log goes when the Service Control Manager runs it: a service has no console,
// so what the daemon writes to stderr would be lost. A rotated file in the private state
// folder (SYSTEM and Administrators only, inherited): %ProgramData%\triage\logs\agent.log,
// 5 MiB per file, the current one and 3 older. Windows only.

#include <filesystem>

#include "shared/util/result.hpp"

namespace triage::agent {

inline constexpr std::size_t kServiceLogFileBytes = 5 * 1024 * 1024;
inline constexpr std::size_t kServiceLogFilesKept = 3;

/// The service's log file under `state_dir`.
std::filesystem::path service_log_file(const std::filesystem::path& state_dir);

/// Adds the rotated file under `state_dir` to the default logger (beside stderr), flushed at
/// every line of level info or above so a crash or a power cut keeps what was logged.
Result<void> log_to_service_file(const std::filesystem::path& state_dir);

}  // namespace triage::agent
