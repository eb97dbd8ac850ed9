// Sources: api "winhttp_proxy" (WinHttpGetDefaultProxyConfiguration: what `netsh winhttp show
// proxy` shows), and for each loaded user hive the key
// HKU\<SID>\Software\Microsoft\Windows\CurrentVersion\Internet Settings (ProxyEnable,
// ProxyServer, ProxyOverride, AutoConfigURL), the user named by the ProfileImagePath of
// HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList\<SID>. Only signed-in users'
// hives are loaded, so only they appear. Credentials in proxy addresses are redacted. Windows;
// reading other users' hives needs an administrator (the agent's service account is one); a
// call and a few keys per user.
#include "agent/collectors/windows_sources/windows_proxy.hpp"

#include "agent/collectors/redact.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxUsers = 32;
constexpr std::size_t kMaxValue = 2048;
constexpr std::string_view kInternetSettings =
    "\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings";

void add(v1::Snapshot& out, const std::string& source, std::string_view variable,
         std::string_view value) {
  auto* p = out.mutable_network()->add_proxies();
  p->set_source(source);
  p->set_variable(std::string(variable));
  std::string text = redact_proxy_list(value);
  if (text.size() > kMaxValue) text.resize(kMaxValue);
  p->set_value(std::move(text));
}

std::string access_name(std::string_view access_type) {
  if (access_type == "no_proxy") return "direct";
  if (access_type == "named_proxy") return "named proxy";
  if (access_type == "default_proxy") return "default (registry)";
  return std::string(access_type.substr(0, 64));
}

/// The account behind a SID: the well-known service accounts by name, users by the folder of
/// their profile ("C:\Users\anna.schmidt" -> "anna.schmidt").
std::string user_name(WinHost& win, const std::string& sid) {
  if (sid == "S-1-5-18" || sid == ".DEFAULT") return "SYSTEM";
  if (sid == "S-1-5-19") return "LOCAL SERVICE";
  if (sid == "S-1-5-20") return "NETWORK SERVICE";
  auto profile =
      win.registry("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\" + sid);
  if (!profile) return sid;
  auto path = profile->text("ProfileImagePath");
  auto slash = path.find_last_of("\\/");
  auto name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty() || name.size() > 64) return sid;
  return name + " (" + sid + ")";
}

void add_winhttp(CollectContext& ctx, WinHost& win, v1::Snapshot& out) {
  auto answer = win.api("winhttp_proxy");
  if (!answer) {
    ctx.note("WinHTTP: " + answer.error().message);
    return;
  }
  if (!answer->is_object() || !answer->contains("access_type")) {
    ctx.note("WinHTTP: the winhttp_proxy answer has no access_type");
    return;
  }
  add(out, "WinHTTP", "access", access_name(json_text(*answer, "access_type")));
  if (auto proxy = json_text(*answer, "proxy"); !proxy.empty()) add(out, "WinHTTP", "proxy", proxy);
  if (auto bypass = json_text(*answer, "bypass"); !bypass.empty())
    add(out, "WinHTTP", "bypass", bypass);
}

}  // namespace

std::string redact_proxy_list(std::string_view value) {
  // redact_text() knows URLs; Internet settings also take "user:pw@host:port" without a scheme,
  // alone or per protocol ("https=user:pw@host:443").
  std::string out;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find(';', start);
    if (end == std::string_view::npos) end = value.size();
    std::string entry = redact_text(value.substr(start, end - start));
    auto equals = entry.find('=');
    auto host_start =
        entry.find("://") == std::string::npos && equals != std::string::npos ? equals + 1 : 0;
    auto at = entry.rfind('@');
    if (entry.find("://") == std::string::npos && at != std::string::npos && at > host_start)
      entry = entry.substr(0, host_start) + std::string(kRedacted) + entry.substr(at);
    if (start > 0) out += ';';
    out += entry;
    start = end + 1;
  }
  return out;
}

Result<void> collect_windows_proxy(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win) return {};
  add_winhttp(ctx, *win, out);

  auto users = win->registry("HKU");
  if (!users) {
    ctx.note("user proxy settings: " + users.error().message);
    return {};
  }
  std::size_t seen = 0;
  for (const auto& sid : users->subkeys) {
    if (!ctx.within_budget()) return ctx.over_budget();
    // <SID>_Classes is the same user's file associations, not a second user; .DEFAULT is
    // LocalSystem's hive again.
    if (sid.ends_with("_Classes") || sid == ".DEFAULT" || sid.size() > 200) continue;
    if (++seen > kMaxUsers) {
      ctx.note("user proxy settings: only the first 32 users kept");
      break;
    }
    auto settings = win->registry("HKU\\" + sid + std::string(kInternetSettings));
    if (!settings) continue;
    auto enable = settings->number("ProxyEnable");
    // Every hive has the key; one that configures nothing is no finding.
    if (enable.value_or(0) == 0 && settings->text("ProxyServer").empty() &&
        settings->text("AutoConfigURL").empty()) {
      continue;
    }
    std::string source = "user " + user_name(*win, sid);
    if (enable) add(out, source, "ProxyEnable", std::to_string(*enable));
    for (std::string_view name : {"ProxyServer", "ProxyOverride", "AutoConfigURL"}) {
      if (auto value = settings->text(name); !value.empty()) add(out, source, name, value);
    }
  }
  return {};
}

}  // namespace triage::agent
