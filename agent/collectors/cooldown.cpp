#include "agent/collectors/cooldown.hpp"

#include <algorithm>

namespace triage::agent {

CooldownTracker::CooldownTracker(std::chrono::minutes base, std::chrono::minutes max)
    : base_(base), max_(max) {}

std::optional<CooldownTracker::Clock::time_point> CooldownTracker::cooling_until(
    std::string_view name, Clock::time_point now) const {
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.until <= now) return std::nullopt;
  return it->second.until;
}

CooldownTracker::Clock::time_point CooldownTracker::record_over_budget(std::string_view name,
                                                                       Clock::time_point now) {
  auto it = entries_.find(name);
  if (it == entries_.end()) it = entries_.emplace(std::string(name), Entry{}).first;
  Entry& e = it->second;
  auto wait = base_ * (1LL << std::min(e.strikes, 10));
  e.strikes++;
  e.until = now + std::min<std::chrono::minutes>(wait, max_);
  return e.until;
}

void CooldownTracker::record_ok(std::string_view name) {
  auto it = entries_.find(name);
  if (it != entries_.end()) entries_.erase(it);
}

std::map<std::string, std::int64_t, std::less<>> CooldownTracker::cooling_at(
    Clock::time_point now) const {
  std::map<std::string, std::int64_t, std::less<>> out;
  for (const auto& [name, entry] : entries_) {
    if (entry.until > now) {
      out[name] =
          std::chrono::duration_cast<std::chrono::milliseconds>(entry.until.time_since_epoch())
              .count();
    }
  }
  return out;
}

}  // namespace triage::agent
