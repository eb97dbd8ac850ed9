#pragma once
// Turning the parameters of a request into the argv an order carries. Every value is checked
// against its declared type before it is placed, whole, into the argv elements that name it:
// nothing is ever concatenated into shell text, and nothing unchecked is ever signed. The
// collector validates JSON from a request; the agent validates the text values an order
// carries with the same rules, and renders the argv again itself.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/actions/action_definition.hpp"
#include "shared/util/result.hpp"

namespace triage::actions {

/// Parameter values after validation, as text, by name.
using ParamValues = std::map<std::string, std::string>;

/// Checks `params` (a JSON object) against `def`: every declared parameter present, no unknown
/// ones, each of the right JSON type and within its enum/range/pattern. kInvalid naming the
/// parameter otherwise.
Result<ParamValues> validate_params(const ActionDefinition& def, const nlohmann::json& params);

/// The same checks on values as an order carries them: text, integers in canonical decimal
/// ("42", never "042" or "+42"). A name given twice is refused.
Result<ParamValues> validate_param_texts(
    const ActionDefinition& def, const std::vector<std::pair<std::string, std::string>>& params);

/// Replaces each "{name}" element of `argv_template` by its value.
std::vector<std::string> resolve_argv(const std::vector<std::string>& argv_template,
                                      const ParamValues& values);

}  // namespace triage::actions
