#include "agent/probes/connections_probe.hpp"

namespace triage::agent {

// The IP Helper's owner tables hold what this probe needs (TCP_TABLE_OWNER_PID_CONNECTIONS);
// reading them for one process is not built for Windows in this version: the probe says so.
void run_connections_probe(const v1::ProbePayload&, ProbeBudget&, const ProbeEnvironment&,
                           v1::ProbeResult& result) {
  result.mutable_connections()->set_error(
      "the connections probe is not available on Windows in this version");
}

}  // namespace triage::agent
