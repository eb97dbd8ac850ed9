#pragma once
// THE list of findings rules, for evaluation, documentation and the rule listing API.

#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "collector/findings/rule.hpp"

namespace triage::collector {

/// Every rule, in documentation order (grouped by area).
std::span<const Rule* const> rule_catalog();

/// The rule with this id, or nullptr.
const Rule* find_rule(std::string_view id);

/// [{"id", "severity" (default), "condition"}...] in catalog order.
nlohmann::json rule_catalog_json();

}  // namespace triage::collector
