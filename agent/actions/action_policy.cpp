#include "agent/actions/action_policy.hpp"

#include <algorithm>

namespace triage::agent {

bool ActionPolicy::allows(std::string_view id, ActionRisk risk) const {
  auto listed = [&](const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(), [&](const auto& x) { return x == id; });
  };
  if (!max_risk || risk > *max_risk || listed(deny)) return false;
  return allow.empty() || listed(allow);
}

bool ActionPolicy::pins_custom(std::string_view sha256_hex) const {
  return std::any_of(allow_custom.begin(), allow_custom.end(), [&](const std::string& pin) {
    return pin.size() == 7 + sha256_hex.size() &&
           pin.compare(7, std::string::npos, sha256_hex) == 0;
  });
}

}  // namespace triage::agent
