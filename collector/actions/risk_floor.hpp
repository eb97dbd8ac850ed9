#pragma once
// The lowest risk a custom action may declare, from what its argv reaches. Every custom
// action runs as root on the endpoint; only a short built-in list of programs that print or
// report and change nothing, whatever their arguments, may be rated low. Anything else is at
// least medium, so a definition cannot slip a root command past the endpoint's default policy
// (low only) by calling itself harmless. The built-in actions are reviewed in the source tree
// and rated there; the floor applies to definitions added over the API.

#include <span>
#include <string_view>

#include "collector/actions/action_definition.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The programs (exact absolute paths) a custom action may run at low risk.
std::span<const std::string_view> low_risk_programs();

/// kLow for a program on low_risk_programs(), kMedium for any other.
ActionRisk risk_floor(std::string_view argv0);

/// kInvalid naming `risk`, the program and the floor when `def` (its argv or its post-check's)
/// rates itself below what it runs.
Result<void> check_risk_floor(const ActionDefinition& def);

}  // namespace triage::collector
