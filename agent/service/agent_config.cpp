#include "agent/service/agent_config.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>

#include "agent/collectors/category.hpp"
#include "agent/live/live_verifier.hpp"
#include "shared/pki/certificates.hpp"
#include "shared/probes/probe_params.hpp"
#include "shared/util/files.hpp"
#include "shared/util/toml_reader.hpp"

namespace triage::agent {

namespace {

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

Result<void> check_choice(const TomlReader& r, std::string_view key, const std::string& value,
                          std::initializer_list<std::string_view> ok) {
  if (std::find(ok.begin(), ok.end(), value) != ok.end()) return {};
  std::string names;
  for (auto o : ok) names += (names.empty() ? "" : ", ") + std::string(o);
  return r.error(key, "expected one of " + names);
}

/// A list check that names the element it refuses.
std::function<std::string(const std::string&)> each(std::string (*check)(const std::string&)) {
  return [check](const std::string& value) {
    auto problem = check(value);
    return problem.empty() ? problem : "`" + value + "`: " + problem;
  };
}

// A probe's name, or "live": the live view is switched off in the same list.
std::string check_probe_name(const std::string& name) {
  if (probes::known_probe(name) || name == kLiveProbeName) return {};
  std::string names;
  for (auto n : probes::probe_names()) names += (names.empty() ? "" : ", ") + std::string(n);
  return "unknown probe; expected one of " + names + " or " + std::string(kLiveProbeName);
}

// "sha256:" and 64 hex digits, as the collector's catalog shows a definition's hash.
std::string check_definition_pin(const std::string& pin) {
  static const std::regex kPin("sha256:[0-9a-fA-F]{64}");
  return std::regex_match(pin, kPin) ? "" : "expected \"sha256:\" and 64 hex digits";
}

using Section = Result<void> (*)(const TomlReader&, AgentConfig&);

Result<void> read_collector(const TomlReader& r, AgentConfig& c) {
  for (auto step : {r.allow_only({"url", "ca_sha256"}), r.read("url", c.collector_url),
                    r.read("ca_sha256", c.collector_ca_sha256)}) {
    if (!step) return step;
  }
  if (!c.collector_url.empty() && c.collector_url.rfind("wss://", 0) != 0) {
    return r.error("url", "expected wss://HOST:PORT");
  }
  if (!c.collector_ca_sha256.empty()) {
    auto pin = pki::normalize_sha256_hex(c.collector_ca_sha256);
    if (!pin) return r.error("ca_sha256", pin.error().message);
  }
  return {};
}

Result<void> read_schedule(const TomlReader& r, AgentConfig& c) {
  std::int64_t report = c.report_interval.count(), heartbeat = c.heartbeat_interval.count();
  for (auto step : {r.allow_only({"report_interval_s", "heartbeat_interval_s"}),
                    r.read("report_interval_s", report, 10, 86400),
                    r.read("heartbeat_interval_s", heartbeat, 5, 3600)}) {
    if (!step) return step;
  }
  c.report_interval_set = r.table().contains("report_interval_s");
  c.report_interval = std::chrono::seconds(report);
  c.heartbeat_interval = std::chrono::seconds(heartbeat);
  return {};
}

Result<void> read_categories(const TomlReader& r, AgentConfig& c) {
  if (auto ok = r.allow_only({"disabled"}); !ok) return ok;
  return r.read("disabled", c.disabled_categories, each(check_category));
}

Result<void> read_probes(const TomlReader& r, AgentConfig& c) {
  for (auto step :
       {r.allow_only({"enabled", "dns_name", "collector"}), r.read("enabled", c.probes_enabled),
        r.read("dns_name", c.probe_dns_name), r.read("collector", c.probe_collector)}) {
    if (!step) return step;
  }
  static const std::regex kHost("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})?");
  if (!c.probe_dns_name.empty() && !std::regex_match(c.probe_dns_name, kHost)) {
    return r.error("dns_name", "expected a host name");
  }
  return {};
}

Result<void> read_spool(const TomlReader& r, AgentConfig& c) {
  std::int64_t mb = static_cast<std::int64_t>(c.spool_max_bytes / (1024 * 1024));
  for (auto step : {r.allow_only({"max_mb"}), r.read("max_mb", mb, 1, 4096)}) {
    if (!step) return step;
  }
  c.spool_max_bytes = static_cast<std::uint64_t>(mb) * 1024 * 1024;
  return {};
}

Result<void> read_log(const TomlReader& r, AgentConfig& c) {
  for (auto step : {r.allow_only({"level", "format"}), r.read("level", c.log_level),
                    r.read("format", c.log_format)}) {
    if (!step) return step;
  }
  if (r.table().contains("level")) {
    if (auto ok = check_choice(r, "level", c.log_level,
                               {"trace", "debug", "info", "warn", "error", "off"});
        !ok) {
      return ok;
    }
  }
  if (r.table().contains("format"))
    return check_choice(r, "format", c.log_format, {"human", "json"});
  return {};
}

Result<void> read_ipc(const TomlReader& r, AgentConfig& c) {
  for (auto step : {r.allow_only({"socket", "group", "help_requests_per_hour"}),
                    r.read("socket", c.ipc_socket), r.read("group", c.ipc_group),
                    r.read("help_requests_per_hour", c.help_requests_per_hour, 1, 3600)}) {
    if (!step) return step;
  }
  if (!c.ipc_socket.empty() && (c.ipc_socket.front() != '/' || c.ipc_socket.size() > 100)) {
    return r.error("socket", "expected an absolute path under 100 bytes");
  }
  return {};
}

Result<void> read_policy(const TomlReader& r, AgentConfig& c) {
  std::string risk = "low";
  std::int64_t delay_s = c.policy.notice.delay.count();
  auto& notice = c.policy.notice;
  for (auto step :
       {r.allow_only({"max_risk", "allow", "deny", "allow_custom", "notice_users", "notice_delay_s",
                      "notice_utmp"}),
        r.read("max_risk", risk), r.read("allow", c.policy.allow, each(check_action_id)),
        r.read("deny", c.policy.deny, each(check_action_id)),
        r.read("allow_custom", c.policy.allow_custom, each(check_definition_pin)),
        r.read("notice_users", notice.enabled), r.read("notice_delay_s", delay_s, 0, 3600),
        r.read("notice_utmp", notice.utmp_path)}) {
    if (!step) return step;
  }
  notice.delay = std::chrono::seconds(delay_s);
  for (auto& pin : c.policy.allow_custom) {
    std::transform(pin.begin(), pin.end(), pin.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  }
  if (notice.utmp_path.empty() || notice.utmp_path.front() != '/') {
    return r.error("notice_utmp", "expected an absolute path");
  }
  if (r.table().contains("max_risk")) {
    if (auto ok = check_choice(r, "max_risk", risk, {"none", "low", "medium", "high"}); !ok) {
      return ok;
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

Result<void> read_probe_policy(const TomlReader& r, AgentConfig& c) {
  auto& policy = c.probe_policy;
  for (auto step : {r.allow_only({"disabled", "per_minute"}),
                    r.read("disabled", policy.disabled, each(check_probe_name)),
                    r.read("per_minute", policy.per_minute, 1, 600)}) {
    if (!step) return step;
  }
  return {};
}

}  // namespace

Result<AgentConfig> parse_agent_config(std::string_view text, const std::string& origin) {
  const std::string subject = "config " + origin;
  auto root = parse_toml(text, subject);
  if (!root) return tl::unexpected(root.error());
  const TomlReader reader(*root);
  AgentConfig config;
  const std::pair<std::string_view, Section> sections[] = {{"collector", read_collector},
                                                           {"schedule", read_schedule},
                                                           {"categories", read_categories},
                                                           {"probes", read_probes},
                                                           {"spool", read_spool},
                                                           {"log", read_log},
                                                           {"ipc", read_ipc},
                                                           {"policy", read_policy},
                                                           {"probe_policy", read_probe_policy}};
  for (const auto& [key, node] : *root) {
    const std::string_view name = key.str();
    auto it = std::find_if(std::begin(sections), std::end(sections),
                           [&](const auto& s) { return s.first == name; });
    if (it == std::end(sections)) {
      // The first key not listed is this one: the ones before it were sections.
      auto known = reader.allow_only({"collector", "schedule", "categories", "probes", "spool",
                                      "log", "ipc", "policy", "probe_policy"});
      return fail(subject, known.error());
    }
    auto table = reader.section(name);
    if (!table) return fail(subject, table.error());
    if (auto ok = it->second(reader.nested(**table, name), config); !ok) {
      return fail(subject, ok.error());
    }
  }
  return config;
}

Result<AgentConfig> load_agent_config(const std::filesystem::path& path) {
  auto text = read_file(path, kMaxTomlBytes);
  if (!text) return fail("config " + path.string(), text.error());
  return parse_agent_config(*text, path.string());
}

}  // namespace triage::agent
