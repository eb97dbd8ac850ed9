#include "collector/enrollment/certificate_renewal.hpp"

#include "shared/pki/certificates.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

Result<std::string> CertificateRenewer::renew(const RenewalRequest& request, TimePoint now) {
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto lifetime = request.presented_not_after - request.presented_not_before;
  if (lifetime <= 0) return fail(ErrorCode::kInvalid, "the presented certificate has no lifetime");
  const auto opens_at = request.presented_not_before + lifetime / 2;
  if (now_s < opens_at) {
    return fail(
        ErrorCode::kConflict,
        "too early: this certificate may be renewed from " +
            format_rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(opens_at))));
  }
  auto cert = pki::issue_device_certificate(ca_certificate_, ca_key_, request.csr_pem,
                                            request.device_id, validity_);
  if (!cert) return fail(ErrorCode::kInvalid, "`csr`: " + cert.error().message);
  auto fingerprint = pki::certificate_sha256(cert->get());
  auto pem = pki::certificate_to_pem(cert->get());
  auto validity = pki::certificate_validity(cert->get());
  if (!fingerprint || !pem || !validity) return fail("encoding the renewed certificate");

  auto renew = [&](WriteTx& tx) {
    return tx.devices().renew_certificate(request.device_id, request.presented_sha256,
                                          *fingerprint);
  };
  if (!audit_) {
    if (auto r = store_.write(renew); !r) return tl::unexpected(r.error());
    return *pem;
  }
  auto recorded = audit_->record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = renew(tx); !r) return tl::unexpected(r.error());
    AuditEvent event;
    event.at = now;
    event.actor = request.device_id;
    event.actor_kind = AuditActorKind::kDevice;
    event.source = request.source;
    event.type = "device.certificate_renewed";
    event.target = "device:" + request.device_id;
    event.details = {{"previous_certificate_sha256", request.presented_sha256},
                     {"certificate_sha256", *fingerprint},
                     {"not_after", format_rfc3339(std::chrono::system_clock::time_point(
                                       std::chrono::seconds(validity->not_after_unix)))}};
    return event;
  });
  if (!recorded) return tl::unexpected(recorded.error());
  return *pem;
}

}  // namespace triage::collector
