#include "collector/actions/action_params.hpp"

#include <algorithm>

namespace triage::collector {

namespace {

tl::unexpected<Error> bad(const std::string& name, const std::string& what) {
  return fail(ErrorCode::kInvalid, "parameter `" + name + "`: " + what);
}

// Control characters (newlines included) never belong in an argument; a leading '-' would let
// a value pass for an option of the program.
Result<void> plain_value(const std::string& name, const std::string& value) {
  if (value.empty()) return bad(name, "must not be empty");
  if (std::any_of(value.begin(), value.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    return bad(name, "must not contain control characters");
  }
  if (value.front() == '-') return bad(name, "must not start with '-'");
  return {};
}

Result<std::string> check_value(const ParamSpec& spec, const nlohmann::json& value) {
  switch (spec.type) {
    case ParamType::kEnum: {
      if (!value.is_string()) return bad(spec.name, "expected a string");
      const auto& text = value.get_ref<const std::string&>();
      if (std::find(spec.values.begin(), spec.values.end(), text) == spec.values.end()) {
        std::string allowed;
        for (const auto& v : spec.values) allowed += (allowed.empty() ? "" : ", ") + v;
        return bad(spec.name, "expected one of " + allowed);
      }
      return text;
    }
    case ParamType::kInteger: {
      if (!value.is_number_integer()) return bad(spec.name, "expected an integer");
      std::int64_t n = 0;
      if (value.is_number_unsigned()) {
        auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(spec.max)) {
          return bad(spec.name, "must be from " + std::to_string(spec.min) + " to " +
                                    std::to_string(spec.max));
        }
        n = static_cast<std::int64_t>(u);
      } else {
        n = value.get<std::int64_t>();
      }
      if (n < spec.min || n > spec.max) {
        return bad(spec.name,
                   "must be from " + std::to_string(spec.min) + " to " + std::to_string(spec.max));
      }
      return std::to_string(n);
    }
    case ParamType::kRegex: {
      if (!value.is_string()) return bad(spec.name, "expected a string");
      const auto& text = value.get_ref<const std::string&>();
      if (text.size() > spec.max_length) {
        return bad(spec.name, "longer than " + std::to_string(spec.max_length) + " bytes");
      }
      if (auto r = plain_value(spec.name, text); !r) return tl::unexpected(r.error());
      if (!spec.compiled.full_match(text)) {
        return bad(spec.name, "does not match " + spec.pattern);
      }
      return text;
    }
  }
  return bad(spec.name, "unknown type");
}

}  // namespace

Result<ParamValues> validate_params(const ActionDefinition& def, const nlohmann::json& params) {
  if (!params.is_null() && !params.is_object()) {
    return fail(ErrorCode::kInvalid, "`params` must be an object");
  }
  ParamValues values;
  if (params.is_object()) {
    for (const auto& [name, value] : params.items()) {
      if (!def.param(name)) {
        return bad(name.substr(0, 64), "action " + def.id + " has no such parameter");
      }
    }
  }
  for (const auto& spec : def.params) {
    if (!params.is_object() || !params.contains(spec.name)) return bad(spec.name, "is required");
    auto value = check_value(spec, params.at(spec.name));
    if (!value) return tl::unexpected(value.error());
    values[spec.name] = std::move(*value);
  }
  return values;
}

std::vector<std::string> resolve_argv(const std::vector<std::string>& argv_template,
                                      const ParamValues& values) {
  std::vector<std::string> out;
  out.reserve(argv_template.size());
  for (const auto& element : argv_template) {
    if (element.size() >= 3 && element.front() == '{' && element.back() == '}') {
      auto it = values.find(element.substr(1, element.size() - 2));
      out.push_back(it != values.end() ? it->second : element);
    } else {
      out.push_back(element);
    }
  }
  return out;
}

}  // namespace triage::collector
