// Active probes: default gateway reachable (ICMP echo), DNS resolves the configured name through
// each configured nameserver, collector reachable (TCP connect latency). Only on a live machine
// and when enabled; each probe has a hard timeout. Linux; any user (ICMP falls back to a raw
// socket as root); a few packets.
#include "agent/collectors/linux/probes.hpp"
#include "agent/collectors/linux/dns.hpp"
#include "agent/collectors/linux/net_probe.hpp"
#include "agent/collectors/linux/routes.hpp"
#include "agent/collectors/text.hpp"

namespace triage::agent {
namespace {

using namespace std::chrono_literals;

void add(v1::Snapshot& out, v1::Probe::Kind kind, const std::string& target,
         const ProbeOutcome& o) {
  auto* p = out.mutable_network()->add_probes();
  p->set_kind(kind);
  p->set_target(target);
  p->set_result(o.result);
  if (o.latency_ms) p->set_latency_ms(*o.latency_ms);
  p->set_message(o.message);
}

ProbeOutcome skipped(std::string why) {
  ProbeOutcome o;
  o.result = v1::Probe::SKIPPED;
  o.message = std::move(why);
  return o;
}

/// The IPv4 address of `host`: numeric, from /etc/hosts, or via our own DNS query.
std::string resolve_host(CollectContext& ctx, const std::string& host,
                         const std::vector<std::string>& servers) {
  if (host.find_first_not_of("0123456789.") == std::string::npos ||
      host.find(':') != std::string::npos)
    return host;
  if (auto hosts = ctx.fs().read("/etc/hosts", 1024 * 1024)) {
    for (auto line : split_lines(*hosts)) {
      auto f = split_ws(line.substr(0, line.find('#')));
      for (std::size_t i = 1; i < f.size(); ++i) {
        if (f[i] == host) return std::string(f[0]);
      }
    }
  }
  for (const auto& s : servers) {
    auto o = probe_dns(s, host, 1500ms);
    if (o.result == v1::Probe::OK && !o.resolved.empty()) return o.resolved;
  }
  return {};
}

}  // namespace

Result<void> collect_probes(CollectContext& ctx, v1::Snapshot& out) {
  const auto& opt = ctx.options();
  if (!ctx.host().live()) {
    ctx.unavailable("probes only run on the live machine, not under --sysroot");
    return {};
  }
  if (!opt.probes_enabled) {
    ctx.unavailable("probes disabled in the agent configuration");
    return {};
  }
  // Gateway.
  std::string gateway;
  if (auto route = ctx.fs().read("/proc/net/route", 1024 * 1024)) {
    std::uint32_t best = UINT32_MAX;
    for (const auto& r : parse_proc_net_route(*route)) {
      if (r.is_default && !r.gateway.empty() && r.metric < best)
        gateway = r.gateway, best = r.metric;
    }
  }
  if (gateway.empty())
    add(out, v1::Probe::GATEWAY, "", skipped("no default IPv4 gateway"));
  else
    add(out, v1::Probe::GATEWAY, gateway, probe_icmp(gateway, 1000ms));

  // DNS through each configured server (at most 3, as the resolver uses).
  std::vector<std::string> servers;
  if (auto conf = ctx.fs().read("/etc/resolv.conf", 256 * 1024))
    servers = parse_resolv_conf(*conf).nameservers;
  if (servers.size() > 3) servers.resize(3);
  std::string name = !opt.probe_dns_name.empty() ? opt.probe_dns_name : opt.probe_collector_host;
  if (name.empty()) {
    add(out, v1::Probe::DNS, "", skipped("no name configured to resolve"));
  } else if (servers.empty()) {
    add(out, v1::Probe::DNS, name, skipped("no nameserver configured"));
  } else {
    for (const auto& s : servers) {
      if (!ctx.within_budget()) return ctx.over_budget();
      add(out, v1::Probe::DNS, s + " " + name, probe_dns(s, name, 1500ms));
    }
  }

  // Collector.
  if (opt.probe_collector_host.empty() || opt.probe_collector_port == 0) {
    add(out, v1::Probe::COLLECTOR, "", skipped("no collector configured"));
  } else {
    std::string target = opt.probe_collector_host + ":" + std::to_string(opt.probe_collector_port);
    auto address = resolve_host(ctx, opt.probe_collector_host, servers);
    if (address.empty()) {
      ProbeOutcome o;
      o.result = v1::Probe::FAILED;
      o.message = "cannot resolve " + opt.probe_collector_host;
      add(out, v1::Probe::COLLECTOR, target, o);
    } else {
      add(out, v1::Probe::COLLECTOR, target, probe_tcp(address, opt.probe_collector_port, 2000ms));
    }
  }
  return {};
}

}  // namespace triage::agent
