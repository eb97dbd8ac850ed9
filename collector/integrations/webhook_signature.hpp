#pragma once
// Signing of outbound webhook deliveries: HMAC-SHA256 over "<timestamp>.<body>" with the
// subscription's secret, sent as `X-Triage-Signature: sha256=<hex>` beside
// `X-Triage-Timestamp: <unix seconds>` so receivers can reject replays.

#include <cstdint>
#include <string>
#include <string_view>

namespace triage::collector {

/// A new signing secret: "whsec_" and 32 random bytes (base64url).
std::string generate_webhook_secret();

/// Lowercase hex HMAC-SHA256 of `message` under `key` (OpenSSL).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// The X-Triage-Signature value: "sha256=" + hex HMAC of "<timestamp>.<body>".
std::string webhook_signature(std::string_view secret, std::int64_t timestamp,
                              std::string_view body);

/// What a receiver does: recompute and compare in constant time.
bool verify_webhook_signature(std::string_view secret, std::int64_t timestamp,
                              std::string_view body, std::string_view signature);

}  // namespace triage::collector
