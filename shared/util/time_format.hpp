#pragma once
// Timestamps as people and JSON consumers read them: RFC 3339 in UTC.

#include <chrono>
#include <string>

namespace triage {

/// "2026-11-23T14:05:09.123Z"
std::string format_rfc3339(std::chrono::system_clock::time_point t);

}  // namespace triage
