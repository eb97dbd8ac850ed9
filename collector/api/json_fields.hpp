#pragma once
// Strict reading of JSON request bodies: unknown fields and wrong types are 400 errors that
// name the field, so a typo ("disable" for "disabled") never silently does nothing.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::collector {

/// kInvalid naming the first field of `body` that is not in `known`.
Result<void> reject_unknown_fields(const nlohmann::json& body,
                                   std::initializer_list<std::string_view> known);

/// Like string_field(body, key, false), but null counts as absent (PATCH-style bodies).
Result<std::optional<std::string>> optional_string(const nlohmann::json& body,
                                                   std::string_view key);
/// Like integer_field over the int range, but null counts as absent.
Result<std::optional<int>> optional_int(const nlohmann::json& body, std::string_view key);
Result<std::optional<std::vector<std::string>>> optional_string_list(const nlohmann::json& body,
                                                                     std::string_view key,
                                                                     std::size_t max_items);

/// The string field `key`; kInvalid when missing (if `required`) or not a string.
Result<std::optional<std::string>> string_field(const nlohmann::json& body, std::string_view key,
                                                bool required);
/// The boolean field `key` when present; kInvalid when not a boolean.
Result<std::optional<bool>> bool_field(const nlohmann::json& body, std::string_view key);
/// The integer field `key` when present; kInvalid when not an integer in [min, max].
Result<std::optional<std::int64_t>> integer_field(const nlohmann::json& body, std::string_view key,
                                                  std::int64_t min, std::int64_t max);

/// Collects the first error of several field reads, so a handler reads every field and
/// answers once: `auto title = errors.take(optional_string(body, "title"));`.
struct FieldErrors {
  std::optional<Error> first;
  template <class T>
  T take(Result<T> r) {
    if (!r) {
      if (!first) first = r.error();
      return T{};
    }
    return std::move(*r);
  }
};

}  // namespace triage::collector
