#include "shared/actions/builtin_actions.hpp"

#include <iterator>

namespace triage::actions {

namespace {

// Generated at configure time from shared/actions/builtin/*.toml, byte for byte.
const EmbeddedDefinition kBuiltin[] = {
#include "shared/actions/builtin_actions.inc"
};

std::vector<ActionDefinition> parse_all() {
  std::vector<ActionDefinition> out;
  for (const auto& file : builtin_definitions()) {
    // Every file parses (tests/collector/actions/action_catalog_test.cpp); one that did not
    // would only be missing here, so its orders would be refused.
    auto def = parse_action_definition(file.text, "builtin/" + std::string(file.name));
    if (!def) continue;
    def->source = "builtin";
    out.push_back(std::move(*def));
  }
  return out;
}

}  // namespace

const std::vector<EmbeddedDefinition>& builtin_definitions() {
  static const std::vector<EmbeddedDefinition> all(std::begin(kBuiltin), std::end(kBuiltin));
  return all;
}

const ActionDefinition* find_builtin_action(std::string_view id) {
  static const std::vector<ActionDefinition> parsed = parse_all();
  for (const auto& def : parsed) {
    if (def.id == id) return &def;
  }
  return nullptr;
}

}  // namespace triage::actions
