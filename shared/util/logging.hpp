#pragma once
// Process-wide logging setup on spdlog: human lines by default, JSON lines on request.

#include <string_view>

#include "shared/util/result.hpp"

namespace triage {

enum class LogFormat { kHuman, kJson };

/// Parses "human" or "json".
Result<LogFormat> parse_log_format(std::string_view text);

/// Installs the default logger writing to stderr. `level` is an spdlog level name
/// ("trace", "debug", "info", "warn", "error", "off").
Result<void> setup_logging(std::string_view program, LogFormat format, std::string_view level);

}  // namespace triage
