#include "collector/api/json_fields.hpp"

namespace triage::collector {

namespace {

std::string backticked(std::string_view key) { return "`" + std::string(key) + "`"; }

}  // namespace

Result<void> reject_unknown_fields(const nlohmann::json& body,
                                   std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body.items()) {
    bool ok = false;
    for (auto k : known) ok = ok || key == k;
    if (!ok) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      // Bounded: the key comes from the client.
      return fail(ErrorCode::kInvalid, "unknown field " + backticked(key.substr(0, 64)) +
                                           " (known fields: " + list + ")");
    }
  }
  return {};
}

Result<std::optional<std::string>> string_field(const nlohmann::json& body, std::string_view key,
                                                bool required) {
  auto it = body.find(key);
  if (it == body.end()) {
    if (required) return fail(ErrorCode::kInvalid, "field " + backticked(key) + " is required");
    return std::optional<std::string>();
  }
  if (!it->is_string()) {
    return fail(ErrorCode::kInvalid, "field " + backticked(key) + " must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<bool>> bool_field(const nlohmann::json& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end()) return std::optional<bool>();
  if (!it->is_boolean()) {
    return fail(ErrorCode::kInvalid, "field " + backticked(key) + " must be true or false");
  }
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<std::int64_t>> integer_field(const nlohmann::json& body, std::string_view key,
                                                  std::int64_t min, std::int64_t max) {
  auto it = body.find(key);
  if (it == body.end()) return std::optional<std::int64_t>();
  if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max) {
    // Unsigned values above INT64_MAX read back negative here and fail the range check.
    return fail(ErrorCode::kInvalid, "field " + backticked(key) + " must be an integer from " +
                                         std::to_string(min) + " to " + std::to_string(max));
  }
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

}  // namespace triage::collector
