#include "agent/probes/reach_probe.hpp"

#include "agent/probes/probe_connection.hpp"

namespace triage::agent {

void run_reach_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                     const ProbeEnvironment& env, v1::ProbeResult& result) {
  const auto& p = request.reach();
  auto* out = result.mutable_reach();
  out->set_port(p.port());
  ProbeConnection connection(env);
  auto report = connection.open(p.host(), static_cast<std::uint16_t>(p.port()), p.tls(),
                                p.server_name(), budget);
  for (const auto& a : report.addresses) out->add_addresses(a);
  out->set_address(report.address);
  out->set_resolve_ms(report.resolve_ms);
  out->set_connect_ms(report.connect_ms);
  out->set_connected(report.connected);
  out->set_error(report.error);
  if (report.tls) *out->mutable_tls() = std::move(*report.tls);
  boost::system::error_code ignored;
  connection.socket().close(ignored);
}

}  // namespace triage::agent
