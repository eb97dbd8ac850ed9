#pragma once
// Terminal output for triagectl: text from the server is untrusted, so control characters
// (C0, DEL, C1) never reach the terminal, and tables are aligned by code points.

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace triage::ctl {

/// Removes control characters and invalid UTF-8; '\n' stays with `keep_newlines`, else (and
/// tabs) becomes a space.
std::string sanitize(const std::string& text, bool keep_newlines = false);
/// Sanitized and cut to `max_chars` code points ("…" marks the cut).
std::string truncate(const std::string& text, std::size_t max_chars);

/// A field as display text: strings sanitized, null/missing as "-", numbers and booleans
/// as JSON, anything else compact JSON (sanitized).
std::string field(const nlohmann::json& object, const char* key);

/// `object[key]`, or null when `object` is not an object or has no such key.
const nlohmann::json& member(const nlohmann::json& object, const char* key);

/// A value as one line of display text: "-" for null or an empty string, strings sanitized,
/// arrays of scalars joined with ", ", anything else compact JSON (sanitized).
std::string text_of(const nlohmann::json& value);

/// A byte count for people: "0 B", "812 B", "1.5 KiB", "3.2 GiB" (binary units, one decimal
/// from KiB on; negative or non-finite values as "-").
std::string human_bytes(double bytes);

/// Prints rows under a header, columns padded to the widest cell.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

}  // namespace triage::ctl
