#pragma once
// The trust store TLS probes verify against: the system's default store plus the site's own
// CA (`ProbeEnvironment::extra_trust_pem`). Loading the system bundle parses every certificate
// in it (≈ 40 ms of CPU on the 2-core test VM), so the loaded store is kept and shared by the
// probes that follow for five minutes, then loaded again (a CA bundle updated by the package
// manager counts within five minutes). Probes that make no TLS handshake never load it.

#include <openssl/x509_vfy.h>

#include <string>

namespace triage::agent {

/// The store for `extra_trust_pem`, with a reference the caller owns (X509_STORE_free, or
/// hand it to SSL_CTX_set1_cert_store and free it). nullptr when it could not be made.
X509_STORE* probe_trust_store(const std::string& extra_trust_pem);

}  // namespace triage::agent
