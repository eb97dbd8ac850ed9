#include "collector/api/json_fields.hpp"

#include <limits>

namespace triage::collector {

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
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return fail(ErrorCode::kInvalid, "`" + std::string(key) + "` must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<int>> optional_int(const nlohmann::json& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<int>();
  if (!it->is_number_integer()) {
    return fail(ErrorCode::kInvalid, "`" + std::string(key) + "` must be an integer");
  }
  auto v = it->get<std::int64_t>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    return fail(ErrorCode::kInvalid, "`" + std::string(key) + "` is out of range");
  }
  return std::optional<int>(static_cast<int>(v));
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

}  // namespace triage::collector
