#include "agent/service/agent_config.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include <toml++/toml.h>

#include "agent/collectors/category.hpp"
#include "shared/util/files.hpp"

namespace triage::agent {

namespace {

std::string line_of(const toml::node& node) {
  return "line " + std::to_string(node.source().begin.line);
}

std::string key_name(std::string_view section, std::string_view key) {
  return std::string(section) + "." + std::string(key);
}

tl::unexpected<Error> bad(std::string_view section, std::string_view key, const toml::node& node,
                          const std::string& expected) {
  return fail(ErrorCode::kInvalid,
              "config key `" + key_name(section, key) + "` on " + line_of(node) + ": " + expected);
}

Result<void> reject_unknown(const toml::table& table, std::string_view section,
                            std::initializer_list<std::string_view> known) {
  for (const auto& [key, node] : table) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      std::string name = section.empty() ? std::string(key.str()) : key_name(section, key.str());
      return fail(ErrorCode::kInvalid, "unknown config key `" + name + "` on " + line_of(node));
    }
  }
  return {};
}

template <class T>
Result<void> read_int(const toml::table& t, std::string_view section, std::string_view key, T& out,
                      std::int64_t min, std::int64_t max) {
  const auto* node = t.get(key);
  if (node == nullptr) return {};
  auto value = node->value_exact<std::int64_t>();
  if (!value || *value < min || *value > max) {
    return bad(section, key, *node,
               "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  out = static_cast<T>(*value);
  return {};
}

Result<void> read_string(const toml::table& t, std::string_view section, std::string_view key,
                         std::string& out) {
  const auto* node = t.get(key);
  if (node == nullptr) return {};
  auto value = node->value_exact<std::string>();
  if (!value) return bad(section, key, *node, "expected a string");
  out = *value;
  return {};
}

Result<void> read_bool(const toml::table& t, std::string_view section, std::string_view key,
                       bool& out) {
  const auto* node = t.get(key);
  if (node == nullptr) return {};
  auto value = node->value_exact<bool>();
  if (!value) return bad(section, key, *node, "expected true or false");
  out = *value;
  return {};
}

/// A string array whose every element passes `valid` (which names what it expects).
template <class Valid>
Result<void> read_list(const toml::table& t, std::string_view section, std::string_view key,
                       std::vector<std::string>& out, Valid&& valid) {
  const auto* node = t.get(key);
  if (node == nullptr) return {};
  const auto* array = node->as_array();
  if (array == nullptr) return bad(section, key, *node, "expected an array of strings");
  out.clear();
  for (const auto& element : *array) {
    auto value = element.value_exact<std::string>();
    if (!value) return bad(section, key, element, "expected an array of strings");
    if (auto problem = valid(*value); !problem.empty()) {
      return bad(section, key, element, "`" + *value + "`: " + problem);
    }
    out.push_back(*value);
  }
  return {};
}

std::string check_category(const std::string& name) {
  if (parse_category(name)) return {};
  std::string names;
  for (auto c : all_categories())
    names += (names.empty() ? "" : ", ") + std::string(category_name(c));
  return "unknown category; expected one of " + names;
}

std::string check_action_id(const std::string& id) {
  static const std::regex kId("[a-z0-9][a-z0-9._-]{0,63}");
  return std::regex_match(id, kId) ? "" : "an action id is lower-case letters, digits, . _ -";
}

Result<void> check_choice(const toml::table& t, std::string_view section, std::string_view key,
                          const std::string& value, std::initializer_list<std::string_view> ok) {
  if (std::find(ok.begin(), ok.end(), value) != ok.end()) return {};
  std::string names;
  for (auto o : ok) names += (names.empty() ? "" : ", ") + std::string(o);
  return bad(section, key, *t.get(key), "expected one of " + names);
}

// "sha256:" and 64 hex digits, as the collector's catalog shows a definition's hash.
std::string check_definition_pin(const std::string& pin) {
  static const std::regex kPin("sha256:[0-9a-fA-F]{64}");
  return std::regex_match(pin, kPin) ? "" : "expected \"sha256:\" and 64 hex digits";
}

using Section = Result<void> (*)(const toml::table&, AgentConfig&);

Result<void> read_collector(const toml::table& t, AgentConfig& c) {
  if (auto r = reject_unknown(t, "collector", {"url"}); !r) return r;
  if (auto r = read_string(t, "collector", "url", c.collector_url); !r) return r;
  if (!c.collector_url.empty() && c.collector_url.rfind("wss://", 0) != 0) {
    return bad("collector", "url", *t.get("url"), "expected wss://HOST:PORT");
  }
  return {};
}

Result<void> read_schedule(const toml::table& t, AgentConfig& c) {
  std::int64_t report = c.report_interval.count(), heartbeat = c.heartbeat_interval.count();
  for (auto r : {reject_unknown(t, "schedule", {"report_interval_s", "heartbeat_interval_s"}),
                 read_int(t, "schedule", "report_interval_s", report, 10, 86400),
                 read_int(t, "schedule", "heartbeat_interval_s", heartbeat, 5, 3600)}) {
    if (!r) return r;
  }
  c.report_interval_set = t.contains("report_interval_s");
  c.report_interval = std::chrono::seconds(report);
  c.heartbeat_interval = std::chrono::seconds(heartbeat);
  return {};
}

Result<void> read_categories(const toml::table& t, AgentConfig& c) {
  if (auto r = reject_unknown(t, "categories", {"disabled"}); !r) return r;
  return read_list(t, "categories", "disabled", c.disabled_categories, check_category);
}

Result<void> read_probes(const toml::table& t, AgentConfig& c) {
  for (auto r : {reject_unknown(t, "probes", {"enabled", "dns_name", "collector"}),
                 read_bool(t, "probes", "enabled", c.probes_enabled),
                 read_string(t, "probes", "dns_name", c.probe_dns_name),
                 read_bool(t, "probes", "collector", c.probe_collector)}) {
    if (!r) return r;
  }
  static const std::regex kHost("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})?");
  if (!c.probe_dns_name.empty() && !std::regex_match(c.probe_dns_name, kHost)) {
    return bad("probes", "dns_name", *t.get("dns_name"), "expected a host name");
  }
  return {};
}

Result<void> read_spool(const toml::table& t, AgentConfig& c) {
  std::int64_t mb = static_cast<std::int64_t>(c.spool_max_bytes / (1024 * 1024));
  for (auto r :
       {reject_unknown(t, "spool", {"max_mb"}), read_int(t, "spool", "max_mb", mb, 1, 4096)}) {
    if (!r) return r;
  }
  c.spool_max_bytes = static_cast<std::uint64_t>(mb) * 1024 * 1024;
  return {};
}

Result<void> read_log(const toml::table& t, AgentConfig& c) {
  for (auto r :
       {reject_unknown(t, "log", {"level", "format"}), read_string(t, "log", "level", c.log_level),
        read_string(t, "log", "format", c.log_format)}) {
    if (!r) return r;
  }
  if (t.contains("level")) {
    if (auto r = check_choice(t, "log", "level", c.log_level,
                              {"trace", "debug", "info", "warn", "error", "off"});
        !r) {
      return r;
    }
  }
  if (t.contains("format"))
    return check_choice(t, "log", "format", c.log_format, {"human", "json"});
  return {};
}

Result<void> read_ipc(const toml::table& t, AgentConfig& c) {
  for (auto r :
       {reject_unknown(t, "ipc", {"socket", "group", "help_requests_per_hour"}),
        read_string(t, "ipc", "socket", c.ipc_socket), read_string(t, "ipc", "group", c.ipc_group),
        read_int(t, "ipc", "help_requests_per_hour", c.help_requests_per_hour, 1, 3600)}) {
    if (!r) return r;
  }
  if (!c.ipc_socket.empty() && (c.ipc_socket.front() != '/' || c.ipc_socket.size() > 100)) {
    return bad("ipc", "socket", *t.get("socket"), "expected an absolute path under 100 bytes");
  }
  return {};
}

Result<void> read_policy(const toml::table& t, AgentConfig& c) {
  std::string risk = "low";
  std::int64_t delay_s = c.policy.notice.delay.count();
  auto& notice = c.policy.notice;
  for (auto r :
       {reject_unknown(t, "policy",
                       {"max_risk", "allow", "deny", "allow_custom", "notice_users",
                        "notice_delay_s", "notice_utmp"}),
        read_string(t, "policy", "max_risk", risk),
        read_list(t, "policy", "allow", c.policy.allow, check_action_id),
        read_list(t, "policy", "deny", c.policy.deny, check_action_id),
        read_list(t, "policy", "allow_custom", c.policy.allow_custom, check_definition_pin),
        read_bool(t, "policy", "notice_users", notice.enabled),
        read_int(t, "policy", "notice_delay_s", delay_s, 0, 3600),
        read_string(t, "policy", "notice_utmp", notice.utmp_path)}) {
    if (!r) return r;
  }
  notice.delay = std::chrono::seconds(delay_s);
  for (auto& pin : c.policy.allow_custom) {
    std::transform(pin.begin(), pin.end(), pin.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  }
  if (notice.utmp_path.empty() || notice.utmp_path.front() != '/') {
    return bad("policy", "notice_utmp", *t.get("notice_utmp"), "expected an absolute path");
  }
  if (t.contains("max_risk")) {
    if (auto r = check_choice(t, "policy", "max_risk", risk, {"none", "low", "medium", "high"});
        !r) {
      return r;
    }
  }
  if (risk == "none") {
    c.policy.max_risk.reset();
  } else {
    c.policy.max_risk = risk == "high"     ? ActionRisk::kHigh
                        : risk == "medium" ? ActionRisk::kMedium
                                           : ActionRisk::kLow;
  }
  return {};
}

}  // namespace

Result<AgentConfig> parse_agent_config(std::string_view text, const std::string& origin) {
  toml::table root;
  try {
    // Debian's toml++ is built with exceptions; they stop at this boundary.
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& err) {
    return fail(ErrorCode::kInvalid, "config " + origin + " line " +
                                         std::to_string(err.source().begin.line) + ": " +
                                         std::string(err.description()));
  }
  AgentConfig config;
  const std::pair<std::string_view, Section> sections[] = {{"collector", read_collector},
                                                           {"schedule", read_schedule},
                                                           {"categories", read_categories},
                                                           {"probes", read_probes},
                                                           {"spool", read_spool},
                                                           {"log", read_log},
                                                           {"ipc", read_ipc},
                                                           {"policy", read_policy}};
  for (const auto& [key, node] : root) {
    const std::string_view name = key.str();
    auto it = std::find_if(std::begin(sections), std::end(sections),
                           [&](const auto& s) { return s.first == name; });
    if (it == std::end(sections)) {
      return fail(ErrorCode::kInvalid, "config " + origin + ": unknown config key `" +
                                           std::string(key.str()) + "` on " + line_of(node));
    }
    const auto* table = node.as_table();
    if (table == nullptr) {
      return fail(ErrorCode::kInvalid, "config " + origin + ": config key `" +
                                           std::string(key.str()) + "` on " + line_of(node) +
                                           ": expected a [section]");
    }
    if (auto r = it->second(*table, config); !r) return fail("config " + origin, r.error());
  }
  return config;
}

Result<AgentConfig> load_agent_config(const std::filesystem::path& path) {
  auto text = read_file(path, 1024 * 1024);
  if (!text) return fail("config " + path.string(), text.error());
  return parse_agent_config(*text, path.string());
}

}  // namespace triage::agent
