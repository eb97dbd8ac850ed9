// Certificate renewal on the collector: a real CA, a real SQLite store and the audit log. The
// connection has proved the device; what is checked here is when a renewal is allowed, what it
// issues and records, and what it refuses.
#include <catch2/catch.hpp>

#include "collector/audit/audit_log.hpp"
#include "collector/enrollment/certificate_renewal.hpp"
#include "collector/enrollment/enrollment_service.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

struct RenewalWorld {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store =
      std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  pki::PKeyPtr ca_key = std::move(*pki::generate_p256_key());
  pki::X509Ptr ca = std::move(*pki::make_ca_certificate(ca_key.get(), "test CA", 24h));
  AuditLog audit{*store};
  TimePoint now = std::chrono::system_clock::now();
  EnrollmentResult enrolled;
  pki::X509Ptr certificate;

  RenewalWorld() {
    EnrollmentService enrollment(*store, ca.get(), ca_key.get(), *pki::certificate_to_pem(ca.get()),
                                 "", &audit, std::chrono::hours(3));
    auto token = store->write(
        [&](WriteTx& tx) { return create_enrollment_token(tx.devices(), 1h, 1, "test", now); });
    REQUIRE(token);
    auto key = pki::generate_p256_key();
    enrolled =
        *enrollment.enroll({token->token, *pki::make_csr_pem(key->get(), "pc"), "pc", ""}, now);
    certificate = std::move(*pki::certificate_from_pem(enrolled.certificate_pem));
  }

  /// A renewal asked with the enrolled certificate, `after` its issue.
  Result<std::string> renew(std::chrono::seconds after, const std::string& presented = "") {
    CertificateRenewer renewer(*store, ca.get(), ca_key.get(), std::chrono::hours(3), &audit);
    auto validity = *pki::certificate_validity(certificate.get());
    auto key = pki::generate_p256_key();
    return renewer.renew(
        {enrolled.device_id,
         presented.empty() ? *pki::certificate_sha256(certificate.get()) : presented,
         validity.not_before_unix, validity.not_after_unix,
         *pki::make_csr_pem(key->get(), "asks-for-this-name"), "10.0.0.7:50000"},
        now + after);
  }

  Device device() {
    auto d = store->read().devices().find_device(enrolled.device_id);
    REQUIRE(d);
    REQUIRE(*d);
    return **d;
  }
};

}  // namespace

TEST_CASE("renewal: past half its lifetime a certificate is replaced for the same device") {
  RenewalWorld w;
  const auto old_sha = *pki::certificate_sha256(w.certificate.get());
  // Issued backdated by 5 min for 3 h: half of that has passed 90 min after issue.
  auto renewed = w.renew(100min);
  INFO((renewed ? "" : renewed.error().message));
  REQUIRE(renewed);
  auto cert = pki::certificate_from_pem(*renewed);
  REQUIRE(cert);
  CHECK(pki::verify_certificate(cert->get(), w.ca.get()));
  // The device id the connection proved, never the name the CSR asked for.
  CHECK(pki::certificate_common_name(cert->get()).value() == w.enrolled.device_id);
  const auto new_sha = *pki::certificate_sha256(cert->get());
  CHECK(w.device().certificate_sha256 == new_sha);
  CHECK(w.device().previous_certificate_sha256 == old_sha);
  CHECK(certificate_accepted(w.device(), old_sha));
  CHECK(certificate_accepted(w.device(), new_sha));

  AuditFilter filter;
  filter.target = "device:" + w.enrolled.device_id;
  auto records = w.store->read().audit().list_audit(filter);
  REQUIRE(records);
  REQUIRE_FALSE(records->items.empty());
  const auto& newest = records->items.front();
  CHECK(newest.type == "device.certificate_renewed");
  CHECK(newest.actor == w.enrolled.device_id);
  CHECK(newest.source == "10.0.0.7:50000");
  auto details = nlohmann::json::parse(newest.details);
  CHECK(details["previous_certificate_sha256"] == old_sha);
  CHECK(details["certificate_sha256"] == new_sha);
}

TEST_CASE("renewal: refused too early, for a revoked device, a stale certificate or a bad CSR") {
  RenewalWorld w;
  const auto before = w.device().certificate_sha256;
  auto early = w.renew(30min);
  REQUIRE_FALSE(early);
  CHECK(early.error().code == ErrorCode::kConflict);
  CHECK_THAT(early.error().message, Catch::StartsWith("too early: this certificate may be "
                                                      "renewed from "));

  auto stale = w.renew(100min, std::string(64, 'e'));
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == ErrorCode::kConflict);

  CertificateRenewer renewer(*w.store, w.ca.get(), w.ca_key.get(), std::chrono::hours(3), &w.audit);
  auto validity = *pki::certificate_validity(w.certificate.get());
  auto garbage =
      renewer.renew({w.enrolled.device_id, before, validity.not_before_unix,
                     validity.not_after_unix, "-----BEGIN CERTIFICATE REQUEST-----\nzz", ""},
                    w.now + 100min);
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().code == ErrorCode::kInvalid);

  REQUIRE(w.store->write(
      [&](WriteTx& tx) { return tx.devices().revoke_device(w.enrolled.device_id, w.now); }));
  auto revoked = w.renew(100min);
  REQUIRE_FALSE(revoked);
  CHECK(revoked.error().code == ErrorCode::kConflict);
  // Nothing was recorded by any of them.
  CHECK(w.device().certificate_sha256 == before);
  CHECK(w.device().previous_certificate_sha256.empty());
}
