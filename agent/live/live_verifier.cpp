#include "agent/live/live_verifier.hpp"

#include "shared/protocol/signed_messages.hpp"

namespace triage::agent {

Result<v1::LivePayload> verify_live_start(const v1::SignedLiveStart& start,
                                          const SignedRequestChecks& checks,
                                          const ProbePolicy& policy) {
  // Nothing in the payload is looked at before the signature holds.
  if (auto r = check_signature(checks, protocol::kLiveContext, start.payload(), start.signature());
      !r) {
    return tl::unexpected(r.error());
  }
  v1::LivePayload p;
  if (!p.ParseFromString(start.payload())) {
    return fail(ErrorCode::kDenied, "signed payload is unreadable");
  }
  if (auto r = check_request_fields({p.live_session_id(), p.device_id(), p.issued_at_unix_ms(),
                                     p.expires_at_unix_ms(), p.nonce()},
                                    checks, "live view");
      !r) {
    return tl::unexpected(r.error());
  }
  if (p.live_session_id().size() > 64) {
    return fail(ErrorCode::kDenied, "live view id is longer than 64 characters");
  }
  if (p.interval_ms() < kLiveMinIntervalMs || p.interval_ms() > kLiveMaxIntervalMs) {
    return fail(ErrorCode::kDenied, "live view interval must be 1 to 10 seconds");
  }
  const auto max_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kLiveMaxLength).count();
  if (p.ends_at_unix_ms() > p.issued_at_unix_ms() + max_ms) {
    return fail(ErrorCode::kDenied, "a live view runs at most 10 minutes per start");
  }
  if (p.ends_at_unix_ms() <= checks.now_unix_ms) {
    return fail(ErrorCode::kDenied, "live view has already ended");
  }
  if (!policy.allows(kLiveProbeName)) {
    return fail(ErrorCode::kDenied, "local policy has switched off the live view on this endpoint");
  }
  return p;
}

std::optional<v1::LivePayload> signed_live_payload(const v1::SignedLiveStart& start,
                                                   const SignedRequestChecks& checks) {
  if (!check_signature(checks, protocol::kLiveContext, start.payload(), start.signature())) {
    return std::nullopt;
  }
  v1::LivePayload p;
  if (!p.ParseFromString(start.payload())) return std::nullopt;
  return p;
}

}  // namespace triage::agent
