#pragma once
// The collector's view of an action definition (shared/actions/action_definition.hpp): the
// shared definition plus the staff role an order for it needs. The names the collector uses
// are brought into its namespace here.

#include <string>
#include <string_view>

#include "collector/storage/records.hpp"
#include "shared/actions/action_definition.hpp"
#include "shared/actions/action_params.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

using actions::action_risk_name;
using actions::ActionRisk;
using actions::ApprovalRule;
using actions::kMaxActionTimeoutS;
using actions::kMaxArgvElements;
using actions::kMaxDefinitionBytes;
using actions::kMaxOutputCapBytes;
using actions::ParamSpec;
using actions::ParamType;
using actions::ParamValues;
using actions::parse_action_risk;
using actions::PostCheckSpec;
using actions::resolve_argv;
using actions::StdoutAttachmentSpec;
using actions::validate_params;

struct ActionDefinition : actions::ActionDefinition {
  ActionDefinition() = default;
  explicit ActionDefinition(actions::ActionDefinition def)
      : actions::ActionDefinition(std::move(def)) {}

  /// The role an order needs: the definition's minimum, and senior for high risk.
  Role required_role() const;
};

/// Parses and validates one definition file. Errors name the origin and the key.
Result<ActionDefinition> parse_action_definition(std::string_view text, const std::string& origin);

}  // namespace triage::collector
