#pragma once
// Certificate renewal: an enrolled agent asks, over its live mTLS connection, for a certificate
// for a new key before its current one expires. The connection has proved the device (its
// certificate verified against our CA and is the one the device row names, or the previous one
// a lost renewal answer left); the collector signs only the CSR's key, for that device id.

#include <chrono>
#include <cstdint>
#include <string>

#include "collector/audit/audit_log.hpp"
#include "collector/storage/store.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

struct RenewalRequest {
  std::string device_id;
  /// The certificate the connection presented, and its dates (seconds since 1970).
  std::string presented_sha256;
  std::int64_t presented_not_before = 0;
  std::int64_t presented_not_after = 0;
  std::string csr_pem;
  std::string source;  ///< the peer address, for the audit log
};

class CertificateRenewer {
 public:
  CertificateRenewer(Store& store, X509* ca_certificate, EVP_PKEY* ca_key,
                     std::chrono::seconds validity, AuditLog* audit)
      : store_(store),
        ca_certificate_(ca_certificate),
        ca_key_(ca_key),
        validity_(validity),
        audit_(audit) {}

  /// The new certificate (PEM), recorded as the device's with the presented one kept as its
  /// previous (DeviceRepository::renew_certificate) and audited (device.certificate_renewed).
  /// kConflict before half of the presented certificate's lifetime has passed (a renewal per
  /// connection would let a stolen key mint certificates at will), for a revoked device, or a
  /// certificate the device no longer has; kInvalid for a CSR that is not a P-256 key's.
  Result<std::string> renew(const RenewalRequest& request, TimePoint now);

 private:
  Store& store_;
  X509* ca_certificate_;
  EVP_PKEY* ca_key_;
  std::chrono::seconds validity_;
  AuditLog* audit_;
};

}  // namespace triage::collector
