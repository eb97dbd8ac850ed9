#include "shared/util/json_fields.hpp"

#include <limits>

namespace triage {

namespace {

const nlohmann::json* find_field(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

std::string string_field(const nlohmann::json& object, std::string_view key,
                         std::string_view fallback) {
  const auto* field = find_field(object, key);
  if (field == nullptr || !field->is_string()) return std::string(fallback);
  return field->get<std::string>();
}

bool bool_field(const nlohmann::json& object, std::string_view key, bool fallback) {
  const auto* field = find_field(object, key);
  if (field == nullptr || !field->is_boolean()) return fallback;
  return field->get<bool>();
}

std::int64_t int_field(const nlohmann::json& object, std::string_view key, std::int64_t fallback) {
  const auto* field = find_field(object, key);
  if (field == nullptr) return fallback;
  if (field->is_number_unsigned()) {
    const auto value = field->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return fallback;
    }
    return static_cast<std::int64_t>(value);
  }
  if (field->is_number_integer()) return field->get<std::int64_t>();
  return fallback;
}

}  // namespace triage
