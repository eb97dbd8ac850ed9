#include "agent/collectors/network_probes.hpp"

#include "agent/collectors/net_probe.hpp"

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

/// The IPv4 address of `host`: numeric, from the hosts file, or via our own DNS query.
std::string resolve_host(const std::string& host, const ProbeTargets& targets) {
  if (host.find_first_not_of("0123456789.") == std::string::npos ||
      host.find(':') != std::string::npos)
    return host;
  if (targets.hosts_file_lookup) {
    if (auto address = targets.hosts_file_lookup(host); !address.empty()) return address;
  }
  for (const auto& s : targets.nameservers) {
    auto o = probe_dns(s, host, 1500ms);
    if (o.result == v1::Probe::OK && !o.resolved.empty()) return o.resolved;
  }
  return {};
}

/// Asks the first of `servers` that resolves for the time (one SNTP exchange, 2 s at most) and
/// records the clock's offset from it; the maximum error is half the round trip.
void probe_time_server(const std::vector<std::string>& servers, const ProbeTargets& targets,
                       v1::Snapshot& out) {
  for (const auto& server : servers) {
    auto address = resolve_host(server, targets);
    if (address.empty()) continue;
    const auto target = address == server ? server : server + " (" + address + ")";
    auto time = probe_sntp(address, 2000ms);
    add(out, v1::Probe::TIME, target, time.probe);
    if (time.offset_ms && time.round_trip_ms) {
      auto* sync = out.mutable_system()->mutable_time_sync();
      sync->set_offset_ms(*time.offset_ms);
      sync->set_max_error_ms(*time.round_trip_ms / 2);
      sync->set_offset_source(target);
    }
    return;
  }
  ProbeOutcome o;
  o.result = v1::Probe::FAILED;
  o.message = "cannot resolve " + servers.front();
  add(out, v1::Probe::TIME, servers.front(), o);
}

}  // namespace

bool probes_allowed(CollectContext& ctx) {
  if (!ctx.host().live()) {
    ctx.unavailable(
        "probes only run on the live machine, not under --sysroot or on a recorded one");
    return false;
  }
  if (!ctx.options().probes_enabled) {
    ctx.unavailable("probes disabled in the agent configuration");
    return false;
  }
  return true;
}

Result<void> run_network_probes(CollectContext& ctx, const ProbeTargets& targets,
                                v1::Snapshot& out) {
  const auto& opt = ctx.options();
  if (targets.gateway.empty())
    add(out, v1::Probe::GATEWAY, "", skipped("no default IPv4 gateway"));
  else
    add(out, v1::Probe::GATEWAY, targets.gateway, probe_icmp(targets.gateway, 1000ms));

  // DNS through each configured server (at most 3, as the resolver uses).
  ProbeTargets bounded = targets;
  if (bounded.nameservers.size() > 3) bounded.nameservers.resize(3);
  std::string name = !opt.probe_dns_name.empty() ? opt.probe_dns_name : opt.probe_collector_host;
  if (name.empty()) {
    add(out, v1::Probe::DNS, "", skipped("no name configured to resolve"));
  } else if (bounded.nameservers.empty()) {
    add(out, v1::Probe::DNS, name, skipped("no nameserver configured"));
  } else {
    for (const auto& s : bounded.nameservers) {
      if (!ctx.within_budget()) return ctx.over_budget();
      add(out, v1::Probe::DNS, s + " " + name, probe_dns(s, name, 1500ms));
    }
  }

  // Collector.
  if (opt.probe_collector_host.empty() || opt.probe_collector_port == 0) {
    add(out, v1::Probe::COLLECTOR, "", skipped("no collector configured"));
  } else {
    std::string target = opt.probe_collector_host + ":" + std::to_string(opt.probe_collector_port);
    auto address = resolve_host(opt.probe_collector_host, bounded);
    if (address.empty()) {
      ProbeOutcome o;
      o.result = v1::Probe::FAILED;
      o.message = "cannot resolve " + opt.probe_collector_host;
      add(out, v1::Probe::COLLECTOR, target, o);
    } else {
      add(out, v1::Probe::COLLECTOR, target, probe_tcp(address, opt.probe_collector_port, 2000ms));
    }
  }
  if (!targets.time_servers.empty()) {
    if (!ctx.within_budget()) return ctx.over_budget();
    probe_time_server(targets.time_servers, bounded, out);
  }
  return {};
}

}  // namespace triage::agent
