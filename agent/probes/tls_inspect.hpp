#pragma once
// What a TLS handshake showed: protocol, cipher, the chain the server sent (names, issuer,
// validity, fingerprint) and the verification result against the trust store of the context
// the handshake used (the endpoint's system store, plus a site CA when configured), the
// host name included.

#include <openssl/ssl.h>

#include <string>

#include "triage/v1/probe.pb.h"

namespace triage::agent {

/// Fills `out` from a completed handshake on `ssl` (protocol, cipher, chain, verification).
void inspect_tls(SSL* ssl, v1::TlsInfo& out);

/// One certificate as the probes report it.
v1::CertificateInfo describe_certificate(X509* cert);

/// Prepares `ssl` for a handshake to `host`: SNI (names only) and the name or address the
/// verification checks.
void expect_peer(SSL* ssl, const std::string& host);

}  // namespace triage::agent
