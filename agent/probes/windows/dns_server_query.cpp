#include "agent/probes/dns_server_query.hpp"

namespace triage::agent {

// Windows keeps its DNS servers per adapter (GetAdaptersAddresses), not in resolv.conf, and
// this build has no DNS client library to ask them one by one yet: the probe says so.
std::vector<std::string> resolv_conf_nameservers(std::string_view) { return {}; }

void query_each_dns_server(const std::string&, ProbeBudget&, const ProbeEnvironment&,
                           v1::ResolveResult& out) {
  out.set_servers_error("asking each DNS server is not available on Windows in this version");
}

}  // namespace triage::agent
