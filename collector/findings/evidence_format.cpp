#include "collector/findings/evidence_format.hpp"

#include <array>
#include <cmath>
#include <cstdio>

namespace triage::collector {

std::string format_decimal(double value) {
  if (!std::isfinite(value)) return "?";
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%.1f", value);
  return buf.data();
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr std::array<const char*, 6> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  // 1023.96 MiB would print as "1024.0 MiB"; step up before rounding does.
  while (value >= 1023.95 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  return format_decimal(value) + " " + kUnits[unit];
}

std::string format_percent(double percent) { return format_decimal(percent) + " %"; }

std::string format_whole_percent(double percent) {
  if (!std::isfinite(percent)) return "? %";
  return std::to_string(static_cast<long long>(std::floor(percent))) + " %";
}

std::string format_duration_ms(std::int64_t ms) {
  if (ms < 0) ms = 0;
  const std::int64_t s = ms / 1000;
  const std::int64_t days = s / 86400, hours = s % 86400 / 3600, minutes = s % 3600 / 60;
  if (days > 0) {
    return std::to_string(days) + " d" + (hours > 0 ? " " + std::to_string(hours) + " h" : "");
  }
  if (hours > 0) {
    return std::to_string(hours) + " h" +
           (minutes > 0 ? " " + std::to_string(minutes) + " min" : "");
  }
  if (minutes > 0) return std::to_string(minutes) + " min";
  return std::to_string(s) + " s";
}

}  // namespace triage::collector
