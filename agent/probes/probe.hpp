#pragma once
// One probe of the catalog: a read-only diagnostic the agent runs itself, in-process, on
// typed parameters the request verifier already checked (shared/probes/probe_params.hpp). It
// fills its part of the result, keeps to the budget (probe_budget.hpp) and never throws for
// an expected failure: what it could not reach is a finding, written into the result.

#include <cstdint>
#include <string>

#include "agent/probes/probe_budget.hpp"
#include "triage/v1/probe.pb.h"

namespace triage::agent {

/// What probes may need from the agent beside their parameters.
struct ProbeEnvironment {
  /// Root the listening-sockets probe reads /proc under (`--sysroot`).
  std::string sysroot = "/";
  /// PEM certificates trusted beside the system trust store when TLS is verified (a site's
  /// private CA); "" = the system store only.
  std::string extra_trust_pem;
  /// Port the resolve probe asks each configured DNS server on: 53, but for a test resolver.
  std::uint16_t dns_port = 53;
  /// The path probe's first destination port (traceroute's 33434; hop N uses it + N - 1), for
  /// a test that needs a port of its own.
  std::uint16_t path_base_port = 33434;
};

using ProbeFn = void (*)(const v1::ProbePayload& request, ProbeBudget& budget,
                         const ProbeEnvironment& env, v1::ProbeResult& result);

}  // namespace triage::agent
