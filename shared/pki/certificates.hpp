#pragma once
// The collector's own CA: self-signed root, server certificate, device certificates from CSRs.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"

namespace triage::pki {

/// Creates a self-signed CA certificate (basicConstraints CA:TRUE critical, keyCertSign|cRLSign,
/// subject key id) for `key`.
Result<X509Ptr> make_ca_certificate(EVP_PKEY* key, std::string_view common_name,
                                    std::chrono::hours validity);

/// Issues a TLS server certificate (serverAuth) for `subject_key`, signed by the CA, with
/// subjectAltName entries: each of `dns_names` as DNS and each of `ip_addresses` as IP.
Result<X509Ptr> issue_server_certificate(X509* ca_cert, EVP_PKEY* ca_key, EVP_PKEY* subject_key,
                                         std::string_view common_name,
                                         const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ip_addresses,
                                         std::chrono::hours validity);

/// Creates a PEM CSR signed by `key` with subject CN=`common_name`.
Result<std::string> make_csr_pem(EVP_PKEY* key, std::string_view common_name);

/// Verifies a PEM CSR (well-formed, size-limited, self-signature valid, key is EC P-256) and
/// issues a device certificate (clientAuth only) with subject CN=`device_id`, ignoring every
/// name the CSR asked for. Returns the certificate.
/// `validity` is at least a minute (tests use certificates of minutes; real ones live years).
Result<X509Ptr> issue_device_certificate(X509* ca_cert, EVP_PKEY* ca_key, std::string_view csr_pem,
                                         std::string_view device_id, std::chrono::seconds validity);

Result<std::string> certificate_to_pem(X509* cert);
Result<X509Ptr> certificate_from_pem(std::string_view pem);

/// Lowercase hex SHA-256 of the certificate's DER encoding (what `--ca-sha256` pins).
Result<std::string> certificate_sha256(X509* cert);

/// The subject's commonName.
Result<std::string> certificate_common_name(X509* cert);

/// A certificate's notBefore and notAfter, in seconds since 1970.
struct CertificateValidity {
  std::int64_t not_before_unix = 0;
  std::int64_t not_after_unix = 0;
};
Result<CertificateValidity> certificate_validity(X509* cert);

/// Whether `key` holds the private half of the key `cert` certifies.
bool certificate_matches_key(X509* cert, EVP_PKEY* key);

/// Verifies that `leaf` chains to `ca` (signature, validity dates, CA constraints).
Result<void> verify_certificate(X509* leaf, X509* ca);

/// Normalizes a user-typed fingerprint: hex digits only (":" and spaces removed), lowercase.
/// Fails unless it is exactly 64 hex digits.
Result<std::string> normalize_sha256_hex(std::string_view text);

}  // namespace triage::pki
