#include "agent/probes/resolve_probe.hpp"

#include "agent/probes/dns_server_query.hpp"
#include "agent/probes/system_resolver.hpp"

namespace triage::agent {

void run_resolve_probe(const v1::ProbePayload& request, ProbeBudget& budget,
                       const ProbeEnvironment& env, v1::ProbeResult& result) {
  auto* out = result.mutable_resolve();
  out->set_resolver("system");
  auto resolved = resolve_system(request.resolve().name(), budget.deadline());
  if (resolved.timed_out) budget.cut("time budget ran out before the resolver answered");
  for (const auto& a : resolved.addresses) out->add_addresses(a);
  out->set_duration_ms(resolved.duration_ms);
  out->set_error(resolved.error);
  if (request.resolve().each_server() && !budget.exceeded()) {
    query_each_dns_server(request.resolve().name(), budget, env, *out);
  }
}

}  // namespace triage::agent
