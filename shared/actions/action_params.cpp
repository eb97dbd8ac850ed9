#include "shared/actions/action_params.hpp"

#include <algorithm>
#include <charconv>

namespace triage::actions {

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

Result<std::string> check_integer(const ParamSpec& spec, std::int64_t n) {
  if (n < spec.min || n > spec.max) {
    return bad(spec.name,
               "must be from " + std::to_string(spec.min) + " to " + std::to_string(spec.max));
  }
  return std::to_string(n);
}

/// A string value of an enum or regex parameter.
Result<std::string> check_text(const ParamSpec& spec, const std::string& text) {
  if (spec.type == ParamType::kEnum) {
    if (std::find(spec.values.begin(), spec.values.end(), text) == spec.values.end()) {
      std::string allowed;
      for (const auto& v : spec.values) allowed += (allowed.empty() ? "" : ", ") + v;
      return bad(spec.name, "expected one of " + allowed);
    }
    return text;
  }
  if (text.size() > spec.max_length) {
    return bad(spec.name, "longer than " + std::to_string(spec.max_length) + " bytes");
  }
  if (auto r = plain_value(spec.name, text); !r) return tl::unexpected(r.error());
  if (!spec.compiled.full_match(text)) {
    return bad(spec.name, "does not match " + spec.pattern);
  }
  return text;
}

Result<std::string> check_value(const ParamSpec& spec, const nlohmann::json& value) {
  switch (spec.type) {
    case ParamType::kEnum:
    case ParamType::kRegex:
      if (!value.is_string()) return bad(spec.name, "expected a string");
      return check_text(spec, value.get_ref<const std::string&>());
    case ParamType::kInteger: {
      if (!value.is_number_integer()) return bad(spec.name, "expected an integer");
      if (value.is_number_unsigned() &&
          value.get<std::uint64_t>() > static_cast<std::uint64_t>(spec.max)) {
        return bad(spec.name,
                   "must be from " + std::to_string(spec.min) + " to " + std::to_string(spec.max));
      }
      return check_integer(spec, value.get<std::int64_t>());
    }
  }
  return bad(spec.name, "unknown type");
}

Result<std::string> check_value_text(const ParamSpec& spec, const std::string& text) {
  if (spec.type != ParamType::kInteger) return check_text(spec, text);
  std::int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  // Only the form the collector writes: one spelling per number, so the argv it renders
  // is the one the agent renders.
  if (text.empty() || ec != std::errc() || ptr != end || std::to_string(n) != text) {
    return bad(spec.name.substr(0, 64), "expected an integer in decimal");
  }
  return check_integer(spec, n);
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

Result<ParamValues> validate_param_texts(
    const ActionDefinition& def, const std::vector<std::pair<std::string, std::string>>& params) {
  ParamValues values;
  for (const auto& [name, text] : params) {
    const auto* spec = def.param(name);
    if (spec == nullptr) {
      return bad(name.substr(0, 64), "action " + def.id + " has no such parameter");
    }
    if (values.count(name) != 0) return bad(name, "given twice");
    auto value = check_value_text(*spec, text);
    if (!value) return tl::unexpected(value.error());
    values[name] = std::move(*value);
  }
  for (const auto& spec : def.params) {
    if (values.count(spec.name) == 0) return bad(spec.name, "is required");
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

}  // namespace triage::actions
