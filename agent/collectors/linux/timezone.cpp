// Time zone. Sources: /etc/localtime symlink target (".../zoneinfo/Europe/Paris"), else
// /etc/timezone (Debian), else TZ= in /etc/sysconfig/clock (RHEL). Linux; any user; cheap.
#include "agent/collectors/linux/timezone.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

std::string zone_from_localtime_link(std::string_view target) {
  auto pos = target.find("zoneinfo/");
  if (pos == std::string_view::npos) return {};
  auto zone = target.substr(pos + 9);
  // "posix/Europe/Paris" and "right/..." are the same zones with other leap-second handling.
  if (zone.starts_with("posix/")) zone.remove_prefix(6);
  return std::string(zone);
}

Result<void> collect_timezone(CollectContext& ctx, v1::Snapshot& out) {
  const auto& fs = ctx.fs();
  std::string zone;
  if (auto link = fs.read_link("/etc/localtime")) zone = zone_from_localtime_link(*link);
  if (zone.empty()) zone = fs.read_attr("/etc/timezone").value_or("");
  if (zone.empty()) {
    if (auto text = fs.read("/etc/sysconfig/clock", 4096)) {
      for (auto line : split_lines(*text)) {
        auto kv = key_value(line, '=');
        if (kv && (kv->first == "ZONE" || kv->first == "TZ")) zone = unquote(kv->second);
      }
    }
  }
  if (zone.empty() && fs.exists("/etc/localtime")) zone = "unknown (/etc/localtime is a copy)";
  if (zone.empty()) zone = "UTC";  // glibc default without /etc/localtime
  out.mutable_system()->set_timezone(zone);
  return {};
}

}  // namespace triage::agent
