#pragma once
// Value encodings shared by the PostgreSQL repositories: JSON columns stored as text, and text
// arrays bound as one parameter (`column = ANY($n::text[])`), so a list of values never turns
// into SQL text.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace triage::collector::pg_values {

/// JSON as stored; endpoint-supplied text may carry invalid UTF-8, which is replaced rather
/// than thrown on.
inline std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// A stored JSON column, or `fallback` when it does not parse.
inline nlohmann::json parse_json(const std::string& text, nlohmann::json fallback) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

/// A PostgreSQL array literal of `values` (each quoted and escaped), bound as a text parameter.
inline std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

/// A PostgreSQL array literal of integers.
template <class Int>
std::string int_array(const std::vector<Int>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

}  // namespace triage::collector::pg_values
