#pragma once
// Who is on the other end of a TLS connection, as far as the handshake proved it.

#include <cstdint>
#include <string>

namespace triage::transport {

struct PeerIdentity {
  std::string remote_address;  ///< "ip:port"
  /// True when the peer presented a certificate that verified against our CA.
  bool has_verified_certificate = false;
  std::string certificate_common_name;
  std::string certificate_sha256;  ///< lowercase hex of the DER certificate
  /// The certificate's notBefore and notAfter, seconds since 1970 (when renewal may begin).
  std::int64_t certificate_not_before = 0;
  std::int64_t certificate_not_after = 0;
  /// True when the TLS handshake resumed an earlier session from its ticket: the certificate
  /// above is the one that session's full handshake verified.
  bool tls_session_resumed = false;
};

}  // namespace triage::transport
