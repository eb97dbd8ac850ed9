#pragma once
// The probes every platform runs, once it has found its targets: the default gateway (ICMP
// echo), the DNS name through each nameserver (at most 3, as resolvers use), and the collector
// (TCP connect, its name resolved locally or through those nameservers). Each platform's probes
// source finds the targets in its own way (linux/probes.cpp, windows_sources/windows_probes.cpp).

#include <functional>
#include <string>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// What the probes aim at.
struct ProbeTargets {
  /// The default IPv4 gateway; "" when there is none.
  std::string gateway;
  /// The configured nameservers, in the order the resolver asks them.
  std::vector<std::string> nameservers;
  /// The address of a host name from the local hosts file; "" when it has none.
  std::function<std::string(const std::string& host)> hosts_file_lookup;
  /// The time servers the system's time service uses (names or addresses), when the offset is
  /// to be measured by asking one (Windows: w32time keeps its offset to itself); the first that
  /// resolves is asked once over SNTP. Empty: no time probe (Linux: the kernel knows).
  std::vector<std::string> time_servers;
};

/// False (and the source marked unavailable, saying why) when probes must not run: not the
/// live machine, or turned off in the agent configuration.
bool probes_allowed(CollectContext& ctx);

/// Runs the probes against `targets` into out.network().probes; the time probe's offset also
/// goes to out.system().time_sync.
Result<void> run_network_probes(CollectContext& ctx, const ProbeTargets& targets,
                                v1::Snapshot& out);

}  // namespace triage::agent
