#pragma once
// The built-in action definitions (shared/actions/builtin/*.toml), embedded byte for byte in
// every binary that links this library: the collector offers them, and the agent judges an
// order for a built-in id against its own copy, never against what the order says.

#include <string_view>
#include <vector>

#include "shared/actions/action_definition.hpp"

namespace triage::actions {

/// One embedded definition file: its name and exact bytes.
struct EmbeddedDefinition {
  std::string_view name;
  std::string_view text;
};

/// Every embedded built-in file, sorted by name.
const std::vector<EmbeddedDefinition>& builtin_definitions();

/// The parsed built-in definition of `id` (source "builtin"), or null when `id` is not one.
const ActionDefinition* find_builtin_action(std::string_view id);

}  // namespace triage::actions
