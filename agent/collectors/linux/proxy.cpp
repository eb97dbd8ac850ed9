// Proxy settings. Sources: the agent's own environment, /etc/environment, and apt's
// Acquire::*::Proxy in /etc/apt/apt.conf and /etc/apt/apt.conf.d/*. Credentials in proxy URLs
// are redacted. Linux; any user; a handful of small files.
#include <algorithm>
#include <array>

#include "agent/collectors/linux/proxy.hpp"
#include "agent/collectors/proxy_variables.hpp"
#include "agent/collectors/redact.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

constexpr std::array<std::string_view, 10> kVariables = {
    "http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy",
    "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "ALL_PROXY", "NO_PROXY"};

void add(v1::Snapshot& out, std::string source, std::string_view variable, std::string_view value) {
  auto* p = out.mutable_network()->add_proxies();
  p->set_source(std::move(source));
  p->set_variable(std::string(variable));
  p->set_value(redact_env_value(variable, value));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_environment_proxies(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto line : split_lines(text)) {
    line = trim(line);
    if (line.starts_with("export ")) line = trim(line.substr(7));
    auto kv = key_value(line, '=');
    if (!kv || line.starts_with("#")) continue;
    if (std::find(kVariables.begin(), kVariables.end(), kv->first) == kVariables.end()) continue;
    out.emplace_back(std::string(kv->first), unquote(kv->second));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_apt_proxies(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto line : split_lines(text)) {
    line = trim(line);
    if (line.starts_with("//") || line.starts_with("#")) continue;
    auto f = split_ws(line);
    if (f.size() < 2) continue;
    auto key = f[0];
    if (!starts_with_nocase(key, "Acquire::") || to_lower(key).find("::proxy") == std::string::npos)
      continue;
    auto value = std::string(line.substr(static_cast<std::size_t>(f[1].data() - line.data())));
    while (!value.empty() && (value.back() == ';' || value.back() == ' ')) value.pop_back();
    out.emplace_back(std::string(key), unquote(value));
  }
  return out;
}

std::span<const std::string_view> proxy_environment_variables() { return kVariables; }

Result<void> collect_proxy(CollectContext& ctx, v1::Snapshot& out) {
  for (auto var : kVariables) {
    auto value = ctx.host().environment(var);
    if (!value.empty()) add(out, "agent environment", var, value);
  }
  if (auto env = ctx.fs().read("/etc/environment", 256 * 1024)) {
    for (auto& [k, v] : parse_environment_proxies(*env)) add(out, "/etc/environment", k, v);
  }
  std::vector<std::string> apt_files = {"/etc/apt/apt.conf"};
  if (auto d = ctx.fs().list_dir("/etc/apt/apt.conf.d")) {
    std::sort(d->begin(), d->end());
    for (auto& n : *d) apt_files.push_back("/etc/apt/apt.conf.d/" + n);
  }
  for (const auto& f : apt_files) {
    if (auto text = ctx.fs().read(f, 256 * 1024)) {
      for (auto& [k, v] : parse_apt_proxies(*text)) add(out, "apt " + f, k, v);
    }
  }
  return {};
}

}  // namespace triage::agent
