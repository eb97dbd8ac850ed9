#include "collector/api/ticket_fields.hpp"

#include "collector/api/json_fields.hpp"

namespace triage::collector {

/// Priority as 1..4 or "P1".."P4".
Result<std::optional<int>> priority_field(const nlohmann::json& body) {
  auto it = body.find("priority");
  if (it == body.end() || it->is_null()) return std::optional<int>();
  if (it->is_string()) {
    auto text = it->get<std::string>();
    if (text.size() == 2 && (text[0] == 'P' || text[0] == 'p') && text[1] >= '1' &&
        text[1] <= '4') {
      return std::optional<int>(text[1] - '0');
    }
    return fail(ErrorCode::kInvalid, "`priority` must be 1-4 or P1-P4");
  }
  return optional_int(body, "priority");
}

/// Tier as 1..3 or "L1".."L3".
Result<std::optional<int>> tier_field(const nlohmann::json& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<int>();
  if (it->is_string()) {
    auto text = it->get<std::string>();
    if (text.size() == 2 && (text[0] == 'L' || text[0] == 'l') && text[1] >= '1' &&
        text[1] <= '3') {
      return std::optional<int>(text[1] - '0');
    }
    return fail(ErrorCode::kInvalid, "`" + std::string(key) + "` must be 1-3 or L1-L3");
  }
  return optional_int(body, key);
}

}  // namespace triage::collector
