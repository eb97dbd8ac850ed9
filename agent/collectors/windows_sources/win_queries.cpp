#include "agent/collectors/windows_sources/win_queries.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace triage::agent {
namespace {

// Longer than any class or property Windows defines; a longer name is a mistake or an attack.
constexpr std::size_t kMaxWmiName = 256;
constexpr std::size_t kMaxProviderName = 512;

bool is_wmi_identifier(std::string_view name) {
  if (name.empty() || name.size() > kMaxWmiName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// An XPath 1.0 literal cannot escape its quote; provider names never hold one.
bool is_xpath_literal(std::string_view text) {
  if (text.empty() || text.size() > kMaxProviderName) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    return c == '\'' || c == '"' || static_cast<unsigned char>(c) < 0x20;
  });
}

/// "(a or b or c)", or the one term alone.
std::string any_of(const std::vector<std::string>& terms) {
  if (terms.size() == 1) return terms.front();
  std::string out = "(";
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (i > 0) out += " or ";
    out += terms[i];
  }
  return out + ")";
}

}  // namespace

Result<std::string> wql_select(std::string_view wmi_class,
                               const std::vector<std::string>& properties) {
  if (!is_wmi_identifier(wmi_class)) {
    return fail(ErrorCode::kInvalid, "WMI class name `" + std::string(wmi_class.substr(0, 64)) +
                                         "` is not an identifier");
  }
  std::string select;
  for (const auto& property : properties) {
    if (!is_wmi_identifier(property)) {
      return fail(ErrorCode::kInvalid, "WMI property name `" + property.substr(0, 64) + "` of " +
                                           std::string(wmi_class) + " is not an identifier");
    }
    if (!select.empty()) select += ',';
    select += property;
  }
  if (select.empty()) select = "*";
  return "SELECT " + select + " FROM " + std::string(wmi_class);
}

std::string event_system_time(std::int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(unix_ms)};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return text;
}

Result<std::string> event_xpath(const EventQuery& query) {
  std::vector<std::string> conditions;
  if (!query.providers.empty()) {
    std::vector<std::string> terms;
    for (const auto& provider : query.providers) {
      if (!is_xpath_literal(provider)) {
        return fail(ErrorCode::kInvalid,
                    "Event Log provider name `" + provider.substr(0, 64) + "` cannot be queried");
      }
      terms.push_back("Provider[@Name='" + provider + "']");
    }
    conditions.push_back(any_of(terms));
  }
  if (!query.event_ids.empty()) {
    std::vector<std::string> terms;
    for (auto id : query.event_ids) terms.push_back("EventID=" + std::to_string(id));
    conditions.push_back(any_of(terms));
  }
  if (query.max_level != 0) conditions.push_back("Level<=" + std::to_string(query.max_level));
  if (query.since_unix_ms > 0) {
    conditions.push_back("TimeCreated[@SystemTime>='" + event_system_time(query.since_unix_ms) +
                         "']");
  }
  if (conditions.empty()) return std::string("*");
  std::string all;
  for (const auto& c : conditions) {
    if (!all.empty()) all += " and ";
    all += c;
  }
  return "*[System[" + all + "]]";
}

}  // namespace triage::agent
