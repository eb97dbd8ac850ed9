#include "collector/actions/action_definition.hpp"

namespace triage::collector {

Role ActionDefinition::required_role() const {
  const Role by_risk = risk == ActionRisk::kHigh ? Role::kSenior : Role::kTechnician;
  // The shared parser accepts only technician, senior and admin.
  const Role declared = parse_role(min_role).value_or(Role::kAdmin);
  return static_cast<int>(declared) > static_cast<int>(by_risk) ? declared : by_risk;
}

Result<ActionDefinition> parse_action_definition(std::string_view text, const std::string& origin) {
  auto def = actions::parse_action_definition(text, origin);
  if (!def) return tl::unexpected(def.error());
  return ActionDefinition(std::move(*def));
}

}  // namespace triage::collector
