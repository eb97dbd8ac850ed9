#pragma once
// Small, allocation-light parsing helpers shared by the collectors' parsers. All of them accept
// any input (empty, binary, huge) without failing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace google::protobuf {
class Message;
}

namespace triage::agent {

/// Strips spaces, tabs, CR and LF at both ends.
std::string_view trim(std::string_view s);

/// Lines of `text` without their terminators ("\n" or "\r\n"); a final empty line is dropped.
std::vector<std::string_view> split_lines(std::string_view text);

/// Whitespace-separated fields.
std::vector<std::string_view> split_ws(std::string_view line);

/// Fields separated by `sep`, empty fields kept.
std::vector<std::string_view> split(std::string_view s, char sep);

/// `line` split at the first `sep` into trimmed key and value; nullopt without `sep`.
std::optional<std::pair<std::string_view, std::string_view>> key_value(std::string_view line,
                                                                       char sep);

/// Whole-string numeric conversions; nullopt on any junk.
std::optional<std::uint64_t> to_uint(std::string_view s, int base = 10);
std::optional<std::int64_t> to_int(std::string_view s);
std::optional<double> to_double(std::string_view s);

/// Removes one level of shell-style quotes ('x' or "x") as in os-release.
std::string unquote(std::string_view s);

/// True when `s` starts with `prefix`, ignoring ASCII case.
bool starts_with_nocase(std::string_view s, std::string_view prefix);

/// Lower-cases ASCII.
std::string to_lower(std::string_view s);

/// Makes every string field of `message` (recursively) valid UTF-8 without control characters
/// and at most `max_len` bytes, so text copied from the machine can always be serialized.
void sanitize_strings(google::protobuf::Message& message, std::size_t max_len = 4096);

/// Same for one string.
std::string clean_text(std::string_view s, std::size_t max_len = 4096);

}  // namespace triage::agent
