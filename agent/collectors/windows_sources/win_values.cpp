#include "agent/collectors/windows_sources/win_values.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace triage::agent {
namespace {

// Seconds from 1601-01-01 to 1970-01-01.
constexpr std::uint64_t kEpochDifferenceSeconds = 11644473600ULL;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::optional<std::int64_t> civil_to_unix_ms(int year, int month, int day, int hour = 0,
                                             int minute = 0, int second = 0) {
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return ((static_cast<std::int64_t>(days) * 24 + hour) * 60 + minute) * 60000LL + second * 1000LL;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

WinHost* windows_host(CollectContext& ctx) {
  WinHost* host = ctx.host().windows();
  if (!host) ctx.unavailable("not a Windows machine");
  return host;
}

std::int64_t filetime_to_unix_ms(std::uint64_t filetime) {
  if (filetime == 0) return 0;
  std::uint64_t ms = filetime / 10000;
  if (ms < kEpochDifferenceSeconds * 1000) return 0;
  return static_cast<std::int64_t>(ms - kEpochDifferenceSeconds * 1000);
}

std::optional<std::int64_t> wmi_datetime_to_unix_ms(std::string_view text) {
  // yyyymmddHHMMSS.mmmmmmsUUU
  if (text.size() < 14 || !all_digits(text.substr(0, 14))) return std::nullopt;
  auto local = civil_to_unix_ms(to_int(text.substr(0, 4)), to_int(text.substr(4, 2)),
                                to_int(text.substr(6, 2)), to_int(text.substr(8, 2)),
                                to_int(text.substr(10, 2)), to_int(text.substr(12, 2)));
  if (!local) return std::nullopt;
  std::int64_t ms = *local;
  if (text.size() >= 21 && text[14] == '.' && all_digits(text.substr(15, 3))) {
    ms += to_int(text.substr(15, 3));
  }
  if (text.size() >= 25 && (text[21] == '+' || text[21] == '-') && all_digits(text.substr(22, 3))) {
    std::int64_t offset_ms = to_int(text.substr(22, 3)) * 60000LL;
    ms += text[21] == '+' ? -offset_ms : offset_ms;
  }
  return ms;
}

std::optional<std::int64_t> windows_date_to_unix_ms(std::string_view text) {
  if (text.size() == 8 && all_digits(text)) {
    return civil_to_unix_ms(to_int(text.substr(0, 4)), to_int(text.substr(4, 2)),
                            to_int(text.substr(6, 2)));
  }
  auto first = text.find('/');
  auto second = first == std::string_view::npos ? first : text.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto month = text.substr(0, first), day = text.substr(first + 1, second - first - 1),
       year = text.substr(second + 1, 4);
  if (!all_digits(month) || !all_digits(day) || !all_digits(year)) return std::nullopt;
  return civil_to_unix_ms(to_int(year), to_int(month), to_int(day));
}

std::string utf16le_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() / 2);
  auto unit = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  };
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    std::uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < bytes.size()) {
      std::uint32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    append_utf8(out, (u >= 0xD800 && u <= 0xDFFF) ? 0xFFFD : u);
  }
  return out;
}

std::string decode_text_file(std::string_view bytes) {
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xFE) {
    return utf16le_to_utf8(bytes.substr(2));
  }
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF")
    return std::string(bytes.substr(3));
  return std::string(bytes);
}

std::string json_text(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<std::uint64_t>());
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
  return {};
}

std::optional<std::uint64_t> json_uint(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer()) {
    auto v = it->get<std::int64_t>();
    if (v < 0) return std::nullopt;
    return static_cast<std::uint64_t>(v);
  }
  if (it->is_number_float()) {
    auto v = it->get<double>();
    if (v < 0 || v > 1.8e19) return std::nullopt;
    return static_cast<std::uint64_t>(v);
  }
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return v;
  }
  return std::nullopt;
}

std::optional<bool> json_bool(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number_integer() || it->is_number_unsigned()) return it->get<std::int64_t>() != 0;
  return std::nullopt;
}

}  // namespace triage::agent
