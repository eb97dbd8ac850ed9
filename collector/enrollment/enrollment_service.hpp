#pragma once
// Enrollment: an admin-issued token plus the agent's CSR become a device and its certificate.
// The private key never leaves the endpoint; the collector signs what the CSR proves.

#include <chrono>
#include <string>

#include "collector/audit/audit_log.hpp"
#include "collector/enrollment/certificate_lifetime.hpp"
#include "collector/storage/store.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

struct EnrollmentRequest {
  std::string token;
  std::string csr_pem;
  std::string hostname;  ///< as reported by the agent; informational
  std::string source;    ///< the peer address, for the audit log
};

struct EnrollmentResult {
  std::string device_id;
  std::string certificate_pem;
  std::string ca_pem;
  /// The order-signing public key (PEM) the agent pins for verifying orders.
  std::string order_signing_key_pem;
};

class EnrollmentService {
 public:
  /// `order_signing_key_pem` is handed to each new agent, which pins it to verify orders. With
  /// `audit`, each enrollment is recorded (device.enrolled) in its own transaction.
  EnrollmentService(Store& store, X509* ca_certificate, EVP_PKEY* ca_key, std::string ca_pem,
                    std::string order_signing_key_pem = "", AuditLog* audit = nullptr,
                    std::chrono::seconds certificate_lifetime = kDefaultCertificateLifetime)
      : store_(store),
        ca_certificate_(ca_certificate),
        ca_key_(ca_key),
        ca_pem_(std::move(ca_pem)),
        order_signing_key_pem_(std::move(order_signing_key_pem)),
        audit_(audit),
        certificate_lifetime_(certificate_lifetime) {}

  /// Validates the request, redeems the token and issues the device certificate.
  /// kInvalid for malformed input, kDenied for an unusable token.
  Result<EnrollmentResult> enroll(const EnrollmentRequest& request, TimePoint now);

 private:
  Store& store_;
  X509* ca_certificate_;
  EVP_PKEY* ca_key_;
  std::string ca_pem_;
  std::string order_signing_key_pem_;
  AuditLog* audit_;
  std::chrono::seconds certificate_lifetime_;
};

struct CreatedToken {
  std::string token;  ///< the secret, shown once
  EnrollmentToken record;
};

/// Creates an enrollment token valid for `ttl` and `max_uses` enrollments.
Result<CreatedToken> create_enrollment_token(DeviceRepository& store, std::chrono::seconds ttl,
                                             int max_uses, std::string created_by, TimePoint now);

/// Parses durations like "90s", "30m", "24h", "7d".
Result<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace triage::collector
