#include "agent/probes/path_probe.hpp"

namespace triage::agent {

// Windows offers the hop-by-hop answers through the ICMP helper (IcmpSendEcho2 with a TTL);
// that is not built in this version: the probe says so rather than answering with nothing.
void run_path_probe(const v1::ProbePayload&, ProbeBudget&, const ProbeEnvironment&,
                    v1::ProbeResult& result) {
  result.mutable_path()->set_error("the path probe is not available on Windows in this version");
}

}  // namespace triage::agent
