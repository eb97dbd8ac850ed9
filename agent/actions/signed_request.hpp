#pragma once
// The checks every signed request from the collector passes before anything in it is used,
// whatever it asks for (an order, a probe): the Ed25519 signature under the request kind's
// context with the key pinned at enrollment, then its id, the device it names, its validity
// window (with a small clock-skew allowance) and its nonce's shape. The nonce's novelty is
// checked against the journal afterwards (ActionJournal::remember_nonce).

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"

namespace triage::agent {

inline constexpr std::size_t kMinNonceBytes = 16;
inline constexpr std::size_t kMaxNonceBytes = 64;

/// What the agent holds to check a signed request.
struct SignedRequestChecks {
  EVP_PKEY* pinned_key = nullptr;  ///< null: no key pinned, every request is refused
  std::string device_id;
  std::int64_t now_unix_ms = 0;
  std::int64_t clock_skew_ms = 60'000;
};

/// The fields every signed request carries.
struct SignedRequestFields {
  std::string_view id;
  std::string_view device_id;
  std::int64_t issued_at_unix_ms = 0;
  std::int64_t expires_at_unix_ms = 0;
  std::string_view nonce;
};

/// kDenied with the reason unless `signature` is the pinned key's over `payload` under
/// `context` (the request kind's, shared/protocol/signed_messages.hpp).
Result<void> check_signature(const SignedRequestChecks& checks, std::string_view context,
                             std::string_view payload, std::string_view signature);

/// kDenied with the reason unless the id is set, the device is this one, the window holds
/// now and the nonce is 16 to 64 bytes. `kind` ("order", "probe") names the request in the
/// reason.
Result<void> check_request_fields(const SignedRequestFields& fields,
                                  const SignedRequestChecks& checks, std::string_view kind);

}  // namespace triage::agent
