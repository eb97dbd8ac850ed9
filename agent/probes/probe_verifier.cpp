#include "agent/probes/probe_verifier.hpp"

#include "shared/probes/probe_params.hpp"
#include "shared/protocol/signed_messages.hpp"

namespace triage::agent {

Result<v1::ProbePayload> verify_probe(const v1::SignedProbe& probe,
                                      const SignedRequestChecks& checks,
                                      const ProbePolicy& policy) {
  // Nothing in the payload is looked at before the signature holds.
  if (auto r = check_signature(checks, protocol::kProbeContext, probe.payload(), probe.signature());
      !r) {
    return tl::unexpected(r.error());
  }
  v1::ProbePayload p;
  if (!p.ParseFromString(probe.payload())) {
    return fail(ErrorCode::kDenied, "signed payload is unreadable");
  }
  if (auto r = check_request_fields({p.probe_run_id(), p.device_id(), p.issued_at_unix_ms(),
                                     p.expires_at_unix_ms(), p.nonce()},
                                    checks, "probe");
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = probes::check_probe_request(p); !r) {
    return fail(ErrorCode::kDenied, r.error().message);
  }
  if (!policy.allows(p.probe())) {
    return fail(ErrorCode::kDenied,
                "local policy has switched off probe " + p.probe() + " on this endpoint");
  }
  return p;
}

std::optional<v1::ProbePayload> signed_probe_payload(const v1::SignedProbe& probe,
                                                     const SignedRequestChecks& checks) {
  if (!check_signature(checks, protocol::kProbeContext, probe.payload(), probe.signature())) {
    return std::nullopt;
  }
  v1::ProbePayload p;
  if (!p.ParseFromString(probe.payload())) return std::nullopt;
  return p;
}

}  // namespace triage::agent
