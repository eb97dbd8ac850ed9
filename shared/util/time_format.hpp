#pragma once
// Timestamps as people and JSON consumers read them: RFC 3339 in UTC.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace triage {

/// "2026-11-23T14:05:09.123Z"
std::string format_rfc3339(std::chrono::system_clock::time_point t);

/// Reads "2026-11-23T14:05:09Z", with optional fraction and "+hh:mm"/"-hh:mm" offset;
/// nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace triage
