#include "collector/api/json_fields.hpp"

#include <limits>

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
      return fail(ErrorCode::kInvalid, "unknown field `" + key.substr(0, 64) + "`");
    }
  }
  return {};
}

Result<std::optional<std::string>> optional_string(const nlohmann::json& body,
                                                   std::string_view key) {
  auto it = body.find(key);
  if (it != body.end() && it->is_null()) return std::optional<std::string>();
  return string_field(body, key, /*required=*/false);
}

Result<std::optional<int>> optional_int(const nlohmann::json& body, std::string_view key) {
  auto it = body.find(key);
  if (it != body.end() && it->is_null()) return std::optional<int>();
  auto value =
      integer_field(body, key, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  if (!value) return tl::unexpected(value.error());
  if (!*value) return std::optional<int>();
  return std::optional<int>(static_cast<int>(**value));
}

Result<std::optional<std::vector<std::string>>> optional_string_list(const nlohmann::json& body,
                                                                     std::string_view key,
                                                                     std::size_t max_items) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<std::vector<std::string>>();
  if (!it->is_array() || it->size() > max_items) {
    return fail(ErrorCode::kInvalid, "`" + std::string(key) + "` must be a list of at most " +
                                         std::to_string(max_items) + " strings");
  }
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string()) {
      return fail(ErrorCode::kInvalid, "`" + std::string(key) + "` must hold strings only");
    }
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
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
