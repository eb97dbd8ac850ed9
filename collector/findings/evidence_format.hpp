#pragma once
// Numbers as evidence strings show them: binary byte units, one-decimal percentages, coarse
// durations. One place so every rule words its numbers the same way.

#include <cstdint>
#include <string>

namespace triage::collector {

/// "512 B", "900.0 KiB", "1.8 GiB", "2.0 TiB".
std::string format_bytes(std::uint64_t bytes);

/// "96.2 %".
std::string format_percent(double percent);

/// The integer part of a percentage for titles: "96 %". Truncated, never rounded up, so a title
/// never shows a threshold the value has not reached.
std::string format_whole_percent(double percent);

/// A duration, two largest units: "42 s", "12 min", "3 h 12 min", "45 d 3 h". Negative
/// durations read as "0 s".
std::string format_duration_ms(std::int64_t ms);

/// A number with one decimal: "1.5".
std::string format_decimal(double value);

}  // namespace triage::collector
