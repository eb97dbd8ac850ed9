#include "collector/enrollment/enrollment_service.hpp"

#include <algorithm>
#include <charconv>

#include "shared/pki/certificates.hpp"
#include "shared/pki/secrets.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxTokenLength = 200;
constexpr std::size_t kMaxHostnameLength = 255;

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

Result<EnrollmentResult> EnrollmentService::enroll(const EnrollmentRequest& request,
                                                   TimePoint now) {
  if (request.token.empty() || request.token.size() > kMaxTokenLength ||
      !printable(request.token)) {
    return fail(ErrorCode::kInvalid, "`token` is missing or malformed");
  }
  if (request.hostname.size() > kMaxHostnameLength || !printable(request.hostname)) {
    return fail(ErrorCode::kInvalid, "`hostname` must be printable and at most 255 characters");
  }
  // The CA signs nothing for a caller without a usable token.
  const auto token_hash = pki::sha256_hex(request.token);
  if (auto r = store_.read().devices().check_enrollment_token(token_hash, now); !r)
    return tl::unexpected(r.error());
  Device device;
  device.id = pki::random_uuid();
  device.hostname = request.hostname;
  device.enrolled_at = now;
  auto cert = pki::issue_device_certificate(ca_certificate_, ca_key_, request.csr_pem, device.id,
                                            certificate_lifetime_);
  if (!cert) return fail(ErrorCode::kInvalid, "`csr`: " + cert.error().message);
  auto fingerprint = pki::certificate_sha256(cert->get());
  auto pem = pki::certificate_to_pem(cert->get());
  if (!fingerprint || !pem) return fail("encoding the device certificate");
  device.certificate_sha256 = *fingerprint;
  if (!audit_) {
    if (auto r = store_.write(
            [&](WriteTx& tx) { return tx.devices().enroll_device(token_hash, device, now); });
        !r) {
      return tl::unexpected(r.error());
    }
    return EnrollmentResult{device.id, *pem, ca_pem_, order_signing_key_pem_};
  }
  auto enrolled = audit_->record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto token_id = tx.devices().enroll_device(token_hash, device, now);
    if (!token_id) return tl::unexpected(token_id.error());
    AuditEvent event;
    event.at = now;
    event.actor = device.id;
    event.actor_kind = AuditActorKind::kDevice;
    event.source = request.source;
    event.type = "device.enrolled";
    event.target = "device:" + device.id;
    event.details = {{"hostname", device.hostname},
                     {"enrollment_token", *token_id},
                     {"certificate_sha256", device.certificate_sha256}};
    return event;
  });
  if (!enrolled) return tl::unexpected(enrolled.error());
  return EnrollmentResult{device.id, *pem, ca_pem_, order_signing_key_pem_};
}

Result<CreatedToken> create_enrollment_token(DeviceRepository& store, std::chrono::seconds ttl,
                                             int max_uses, std::string created_by, TimePoint now) {
  if (ttl.count() <= 0) return fail(ErrorCode::kInvalid, "--ttl must be positive");
  if (max_uses < 1 || max_uses > 1'000'000) {
    return fail(ErrorCode::kInvalid, "--uses must be between 1 and 1000000");
  }
  CreatedToken created;
  created.record.id = pki::to_hex(pki::random_bytes(6));
  created.token = "tri_" + created.record.id + "_" + pki::random_token(24);
  created.record.token_hash = pki::sha256_hex(created.token);
  created.record.created_at = now;
  created.record.expires_at = now + ttl;
  created.record.max_uses = max_uses;
  created.record.created_by = std::move(created_by);
  if (auto r = store.insert_enrollment_token(created.record); !r) return tl::unexpected(r.error());
  return created;
}

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  if (ec != std::errc() || value <= 0 || value > 100'000'000) {
    return fail(ErrorCode::kInvalid,
                "duration `" + std::string(text) + "`: expected a number and a unit, e.g. 24h");
  }
  if (unit == "s") return std::chrono::seconds(value);
  if (unit == "m") return std::chrono::seconds(value * 60);
  if (unit == "h" || unit.empty()) return std::chrono::seconds(value * 3600);
  if (unit == "d") return std::chrono::seconds(value * 86400);
  return fail(ErrorCode::kInvalid,
              "duration `" + std::string(text) + "`: unit must be s, m, h or d");
}

}  // namespace triage::collector
