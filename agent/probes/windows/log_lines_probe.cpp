#include "agent/probes/log_lines_probe.hpp"

namespace triage::agent {

// The Event Log (EvtQuery on a channel) is where these lines live on Windows; reading it is not
// built in this version: the probe says so rather than answering with nothing.
void run_log_lines_probe(const v1::ProbePayload&, ProbeBudget&, const ProbeEnvironment&,
                         v1::ProbeResult& result) {
  result.mutable_log_lines()->set_error(
      "the log_lines probe is not available on Windows in this version");
}

}  // namespace triage::agent
