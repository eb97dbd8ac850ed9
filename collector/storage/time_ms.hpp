#pragma once
// Times are stored as integer milliseconds since the Unix epoch (UTC), by every backend.

#include <chrono>
#include <cstdint>
#include <optional>

#include "collector/storage/records.hpp"

namespace triage::collector::time_ms {

inline std::int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline TimePoint from_ms(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }
inline std::optional<TimePoint> from_optional_ms(std::optional<std::int64_t> ms) {
  if (!ms) return std::nullopt;
  return from_ms(*ms);
}
inline std::optional<std::int64_t> to_optional_ms(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_ms(*t);
}

}  // namespace triage::collector::time_ms
