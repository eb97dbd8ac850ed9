#pragma once
// Small, allocation-light parsing helpers shared by the collectors' parsers. All of them accept
// any input (empty, binary, huge) without failing.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
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
/// Finite values only: "nan", "inf" and overflowing figures are junk too.
std::optional<double> to_double(std::string_view s);

/// `v` rounded to the nearest integer (or narrowed to float) and clamped to T's range; NaN
/// gives 0. A figure read from a file converts without undefined behaviour whatever it holds.
template <class T>
T clamp_to(double v) {
  if (std::isnan(v)) return T{};
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(
        std::clamp<double>(v, std::numeric_limits<T>::lowest(), std::numeric_limits<T>::max()));
  } else {
    const double rounded = std::round(v);
    if (rounded <= static_cast<double>(std::numeric_limits<T>::min())) {
      return std::numeric_limits<T>::min();
    }
    // max() of a 32- or 64-bit integer rounds up as a double: compare with >=.
    if (rounded >= static_cast<double>(std::numeric_limits<T>::max())) {
      return std::numeric_limits<T>::max();
    }
    return static_cast<T>(rounded);
  }
}

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
