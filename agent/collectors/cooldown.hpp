#pragma once
// Remembers collectors that went over budget and keeps them off for a cool-down that doubles
// with each consecutive offence (15 min, 30 min, ... up to 24 h) and resets after a clean run.
// Lives as long as the agent so the daemon keeps it across snapshots.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace triage::agent {

class CooldownTracker {
 public:
  using Clock = std::chrono::system_clock;

  explicit CooldownTracker(std::chrono::minutes base = std::chrono::minutes(15),
                           std::chrono::minutes max = std::chrono::hours(24));

  /// When `name` may run again, if it is cooling down at `now`.
  std::optional<Clock::time_point> cooling_until(std::string_view name,
                                                 Clock::time_point now) const;
  /// Records an over-budget run at `now`; returns when the collector may run again.
  Clock::time_point record_over_budget(std::string_view name, Clock::time_point now);
  /// Records a run within budget: the offence count starts over.
  void record_ok(std::string_view name);
  /// Every collector cooling down at `now`, with when it may run again (Unix ms).
  std::map<std::string, std::int64_t, std::less<>> cooling_at(Clock::time_point now) const;

 private:
  struct Entry {
    int strikes = 0;
    Clock::time_point until{};
  };
  std::chrono::minutes base_;
  std::chrono::minutes max_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace triage::agent
