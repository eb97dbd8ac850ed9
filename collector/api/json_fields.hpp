#pragma once
// Strict reading of JSON request bodies: unknown fields and wrong types are errors that name
// the field, so a typo never silently does nothing.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::collector {

/// kInvalid naming the first field of `body` not in `known`.
Result<void> reject_unknown_fields(const nlohmann::json& body,
                                   std::initializer_list<std::string_view> known);

/// The string at `key`: nullopt when absent (or null), kInvalid when not a string.
Result<std::optional<std::string>> optional_string(const nlohmann::json& body,
                                                   std::string_view key);
/// The integer at `key`: nullopt when absent (or null), kInvalid when not an integer.
Result<std::optional<int>> optional_int(const nlohmann::json& body, std::string_view key);
Result<std::optional<std::vector<std::string>>> optional_string_list(const nlohmann::json& body,
                                                                     std::string_view key,
                                                                     std::size_t max_items);

}  // namespace triage::collector
