#pragma once
// What this endpoint's owner lets the collector run: the local action policy (the `[policy]`
// section of the agent's configuration, docs/agent.md), enforced when an order arrives.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/actions/action_definition.hpp"

namespace triage::agent {

/// Risk levels of remediation actions, in increasing order: the one the action definitions
/// declare (shared with the collector).
using actions::ActionRisk;
/// "low", "medium", "high".
using actions::action_risk_name;

/// Telling logged-in users before a medium- or high-risk action runs.
struct UserNoticePolicy {
  /// Off by default: the owner turns it on.
  bool enabled = false;
  /// How long the agent waits after the notice before it runs the action.
  std::chrono::seconds delay{60};
  /// Where the logged-in sessions are read from (utmp(5); the Linux notice only).
  std::string utmp_path = "/var/run/utmp";
};

/// What this endpoint lets the collector run (enforced when orders arrive).
struct ActionPolicy {
  /// Orders above this risk are refused; nullopt ("none") refuses every order.
  std::optional<ActionRisk> max_risk = ActionRisk::kLow;
  /// Action ids allowed; empty = any catalog action within max_risk.
  std::vector<std::string> allow;
  /// Action ids always refused, whatever their risk.
  std::vector<std::string> deny;
  /// Custom (non built-in) definitions this endpoint runs, by the SHA-256 of their file:
  /// "sha256:<64 lower-case hex>". A custom action whose hash is not here is refused.
  std::vector<std::string> allow_custom;
  UserNoticePolicy notice;

  /// True when an action of `id` and `risk` may run here.
  bool allows(std::string_view id, ActionRisk risk) const;
  /// True when `allow_custom` pins the definition whose SHA-256 is `sha256_hex` (lower case).
  bool pins_custom(std::string_view sha256_hex) const;
};

}  // namespace triage::agent
