#pragma once
// Process-wide logging setup on spdlog: human lines by default, JSON lines on request; to
// stderr (journald), or to a file rotated by size.

#include <cstddef>
#include <string>
#include <string_view>

#include "shared/util/result.hpp"

namespace triage {

enum class LogFormat { kHuman, kJson };

/// Parses "human" or "json".
Result<LogFormat> parse_log_format(std::string_view text);

/// Where log lines go.
struct LogFile {
  /// "" = stderr. Otherwise this file, which rotates past `max_bytes`: it becomes `NAME.1.EXT`
  /// (`collector.1.log`), the older ones move up, and at most `max_files` of them are kept.
  std::string path;
  std::size_t max_bytes = 10 * 1024 * 1024;
  std::size_t max_files = 5;
};

/// Checks an spdlog level name ("trace", "debug", "info", "warn", "error", "off").
Result<void> check_log_level(std::string_view level);

/// Installs the default logger and points every subsystem logger (log_levels.hpp) at the same
/// output; the subsystems take `level` too. `level` is an spdlog level name. Fails for a file
/// that cannot be opened. Call before other threads log.
Result<void> setup_logging(std::string_view program, LogFormat format, std::string_view level,
                           const LogFile& file = {});

}  // namespace triage
