#pragma once
// The resolve probe's `each_server`: every DNS server the endpoint is configured with, asked
// directly for the name's A and AAAA records, one after the other within the probe's budget,
// so a technician sees which server answers, which refuses and which is silent — what the
// system resolver hides behind its first answer. The name is asked as given (no search
// domains). Linux reads the servers from /etc/resolv.conf and, behind systemd-resolved's stub,
// from the upstream list it keeps in /run/systemd/resolve/resolv.conf.

#include <string>
#include <string_view>
#include <vector>

#include "agent/probes/probe.hpp"

namespace triage::agent {

/// One DNS server named in a resolver configuration file.
struct ConfiguredDnsServer {
  std::string address;
  std::string configured_in;
};

/// The `nameserver` addresses of resolv.conf text, in order, without duplicates; lines whose
/// value is not one numeric IPv4 or IPv6 address are skipped.
std::vector<std::string> resolv_conf_nameservers(std::string_view text);

/// Fills `out.servers` (or `out.servers_error`), cutting the budget when it runs out.
void query_each_dns_server(const std::string& name, ProbeBudget& budget,
                           const ProbeEnvironment& env, v1::ResolveResult& out);

}  // namespace triage::agent
