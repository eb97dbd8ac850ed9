// Active probes: default gateway reachable (ICMP echo), DNS resolves the configured name through
// each configured nameserver, collector reachable (TCP connect latency); the probes themselves
// are network_probes.cpp. Targets: /proc/net/route, /etc/resolv.conf, /etc/hosts. Only on a live
// machine and when enabled; each probe has a hard timeout. Linux; any user (ICMP falls back to a
// raw socket as root); a few packets.
#include "agent/collectors/linux/probes.hpp"
#include "agent/collectors/linux/dns.hpp"
#include "agent/collectors/linux/routes.hpp"
#include "agent/collectors/network_probes.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {

Result<void> collect_probes(CollectContext& ctx, v1::Snapshot& out) {
  if (!probes_allowed(ctx)) return {};
  ProbeTargets targets;
  if (auto route = ctx.fs().read("/proc/net/route", 1024 * 1024)) {
    std::uint32_t best = UINT32_MAX;
    for (const auto& r : parse_proc_net_route(*route)) {
      if (r.is_default && !r.gateway.empty() && r.metric < best)
        targets.gateway = r.gateway, best = r.metric;
    }
  }
  if (auto conf = ctx.fs().read("/etc/resolv.conf", 256 * 1024))
    targets.nameservers = parse_resolv_conf(*conf).nameservers;
  targets.hosts_file_lookup = [&ctx](const std::string& host) -> std::string {
    auto hosts = ctx.fs().read("/etc/hosts", 1024 * 1024);
    if (!hosts) return {};
    for (auto line : split_lines(*hosts)) {
      auto f = split_ws(line.substr(0, line.find('#')));
      for (std::size_t i = 1; i < f.size(); ++i) {
        if (f[i] == host) return std::string(f[0]);
      }
    }
    return {};
  };
  return run_network_probes(ctx, targets, out);
}

}  // namespace triage::agent
