#include "agent/actions/signed_request.hpp"

#include "shared/protocol/signed_messages.hpp"

namespace triage::agent {

namespace {

tl::unexpected<Error> refuse(std::string reason) {
  return fail(ErrorCode::kDenied, std::move(reason));
}

}  // namespace

Result<void> check_signature(const SignedRequestChecks& checks, std::string_view context,
                             std::string_view payload, std::string_view signature) {
  if (checks.pinned_key == nullptr) {
    return refuse("no order-signing key was pinned at enrollment; re-enroll this agent");
  }
  if (!protocol::verify_payload(checks.pinned_key, context, payload, signature)) {
    return refuse("signature is not valid for the pinned order-signing key");
  }
  return {};
}

Result<void> check_request_fields(const SignedRequestFields& f, const SignedRequestChecks& checks,
                                  std::string_view kind) {
  const std::string what(kind);
  if (f.id.empty()) return refuse(what + " has no id");
  if (f.device_id != checks.device_id) {
    return refuse(what + " is for device " + std::string(f.device_id.substr(0, 64)) +
                  ", not this one");
  }
  if (f.expires_at_unix_ms <= f.issued_at_unix_ms) {
    return refuse(what + " expires before it was issued");
  }
  if (f.issued_at_unix_ms > checks.now_unix_ms + checks.clock_skew_ms) {
    return refuse(what + " was issued in the future (check this computer's clock)");
  }
  // Arithmetic on our own clock only: the payload's times can be anything an int64 holds.
  if (f.expires_at_unix_ms <= checks.now_unix_ms - checks.clock_skew_ms) {
    return refuse(what + " expired");
  }
  if (f.nonce.size() < kMinNonceBytes || f.nonce.size() > kMaxNonceBytes) {
    return refuse(what + " nonce must be 16 to 64 bytes");
  }
  return {};
}

}  // namespace triage::agent
