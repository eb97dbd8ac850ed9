#include "shared/util/time_format.hpp"

#include <cstring>
#include <ctime>
#include <iomanip>
#include <sstream>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace triage {
namespace {

/// Reads `format` (std::get_time, the portable twin of POSIX strptime) at the start of `text`;
/// returns where it stopped, nullptr when it does not match.
const char* parse_tm(const char* text, const char* format, std::tm& tm) {
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, format);
  if (in.fail()) return nullptr;
  if (in.eof()) return text + std::strlen(text);
  return text + static_cast<std::size_t>(in.tellg());
}

/// timegm(): seconds since the epoch of a UTC calendar time (out-of-range days roll over).
std::int64_t utc_seconds(const std::tm& tm) {
  using namespace std::chrono;
  const sys_days date = year(tm.tm_year + 1900) / month(static_cast<unsigned>(tm.tm_mon + 1)) /
                        day(static_cast<unsigned>(tm.tm_mday));
  return duration_cast<seconds>(date.time_since_epoch()).count() + tm.tm_hour * 3600LL +
         tm.tm_min * 60LL + tm.tm_sec;
}

}  // namespace

std::string format_rfc3339(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  auto seconds = std::chrono::system_clock::to_time_t(
      std::chrono::system_clock::time_point(std::chrono::seconds(ms / 1000)));
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(seconds), ms % 1000);
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  if (text.size() < 20 || text.size() > 40) return std::nullopt;
  const std::string input(text);
  std::tm tm{};
  const char* rest = parse_tm(input.c_str(), "%Y-%m-%dT%H:%M:%S", tm);
  if (rest == nullptr) return std::nullopt;
  long millis = 0;
  if (*rest == '.') {
    int digits = 0;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
      if (digits < 3) millis = millis * 10 + (*rest - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  long offset_s = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if ((*rest == '+' || *rest == '-') && std::strlen(rest) == 6 && rest[3] == ':') {
    std::tm off{};
    if (parse_tm(rest + 1, "%H:%M", off) != rest + 6) return std::nullopt;
    offset_s = (off.tm_hour * 3600L + off.tm_min * 60L) * (*rest == '-' ? -1 : 1);
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0') return std::nullopt;
  const std::int64_t utc = utc_seconds(tm) - offset_s;
  // system_clock counts nanoseconds in 64 bits: years 1678-2262 only.
  using std::chrono::system_clock;
  const auto limit = std::chrono::duration_cast<std::chrono::seconds>(
                         system_clock::time_point::max().time_since_epoch())
                         .count() -
                     1;
  if (utc > limit || utc < -limit) return std::nullopt;
  return std::chrono::system_clock::from_time_t(utc) + std::chrono::milliseconds(millis);
}

}  // namespace triage
