// Targets: the default IPv4 gateway of windows_routes (routing table, or the adapters'
// gateways), the nameservers of windows_dns, and %SystemRoot%\System32\drivers\etc\hosts for the
// collector's name; the first NTP server of w32time (Services\W32Time\Parameters) for the
// clock's offset. The probes (ICMP echo, one DNS query per server, TCP connect, SNTP) are
// network_probes.cpp over windows/net_probe.cpp. Only on the live machine and when enabled; each
// probe has a hard timeout. Windows; any user (IcmpSendEcho needs no raw socket); a few packets.
#include "agent/collectors/windows_sources/windows_probes.hpp"

#include "agent/collectors/network_probes.hpp"
#include "agent/collectors/text.hpp"
#include "agent/collectors/windows_sources/win_adapters_answer.hpp"
#include "agent/collectors/windows_sources/win_values.hpp"
#include "agent/collectors/windows_sources/windows_dns.hpp"
#include "agent/collectors/windows_sources/windows_routes.hpp"
#include "agent/collectors/windows_sources/windows_time_service.hpp"

namespace triage::agent {
namespace {

constexpr std::size_t kMaxHostsFile = 1024 * 1024;

std::string hosts_file_path(WinHost& win) {
  std::string root = "C:\\Windows";
  if (auto version = win.registry("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion")) {
    if (auto text = version->text("SystemRoot"); !text.empty()) root = text;
  }
  return root + "\\System32\\drivers\\etc\\hosts";
}

}  // namespace

Result<void> collect_windows_probes(CollectContext& ctx, v1::Snapshot& out) {
  WinHost* win = windows_host(ctx);
  if (!win || !probes_allowed(ctx)) return {};
  auto adapters = read_adapters(*win);
  if (!adapters) return tl::unexpected(adapters.error());
  ProbeTargets targets;
  if (auto defaults = windows_default_gateways(ctx, *win, *adapters)) {
    targets.gateway = defaults->ipv4;
  } else {
    ctx.note("default gateway: " + defaults.error().message);
  }
  targets.nameservers = windows_nameservers(*adapters);
  targets.hosts_file_lookup = [win](const std::string& host) -> std::string {
    auto bytes = win->read_file(hosts_file_path(*win), kMaxHostsFile);
    if (!bytes) return {};
    auto text = decode_text_file(*bytes);
    for (auto line : split_lines(text)) {
      auto f = split_ws(line.substr(0, line.find('#')));
      for (std::size_t i = 1; i < f.size(); ++i) {
        if (to_lower(f[i]) == to_lower(host)) return std::string(f[0]);
      }
    }
    return {};
  };
  // w32time keeps its offset to itself (w32tm asks it over RPC): the clock's offset is measured
  // by asking one of its NTP servers directly.
  if (auto time = win->registry(kW32TimeParameters)) {
    targets.time_servers = w32time_ntp_servers(*time);
  }
  return run_network_probes(ctx, targets, out);
}

}  // namespace triage::agent
