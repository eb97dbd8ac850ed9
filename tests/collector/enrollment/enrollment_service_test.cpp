#include <catch2/catch.hpp>

#include "collector/enrollment/enrollment_service.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

TEST_CASE("enrollment turns a token and a CSR into a device certificate") {
  testing::TempDir dir;
  auto store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  auto ca_key = pki::generate_p256_key();
  auto ca = pki::make_ca_certificate(ca_key->get(), "test CA", 24h);
  EnrollmentService service(*store, ca->get(), ca_key->get(), *pki::certificate_to_pem(ca->get()));
  auto now = std::chrono::system_clock::now();
  auto created = store->write(
      [&](WriteTx& tx) { return create_enrollment_token(tx.devices(), 1h, 1, "test", now); });
  REQUIRE(created);

  auto device_key = pki::generate_p256_key();
  auto csr = pki::make_csr_pem(device_key->get(), "asks-for-this-name");
  auto result = service.enroll({created->token, *csr, "pc-1", ""}, now);
  REQUIRE(result);
  auto cert = pki::certificate_from_pem(result->certificate_pem);
  REQUIRE(cert);
  CHECK(pki::verify_certificate(cert->get(), ca->get()));
  CHECK(pki::certificate_common_name(cert->get()).value() == result->device_id);
  auto stored = store->read().devices().find_device(result->device_id).value();
  REQUIRE(stored);
  CHECK(stored->certificate_sha256 == pki::certificate_sha256(cert->get()).value());

  auto reused = service.enroll({created->token, *csr, "pc-2", ""}, now);
  REQUIRE_FALSE(reused);
  CHECK(reused.error().code == ErrorCode::kDenied);
  // Without a usable token the CSR is not even parsed; with one, a garbage CSR is invalid
  // and costs no use of the token.
  auto garbage =
      service.enroll({"tri_x", "-----BEGIN CERTIFICATE REQUEST-----\nzz", "pc", ""}, now);
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().code == ErrorCode::kDenied);
  auto fresh = store->write(
      [&](WriteTx& tx) { return create_enrollment_token(tx.devices(), 1h, 1, "test", now); });
  REQUIRE(fresh);
  auto bad_csr =
      service.enroll({fresh->token, "-----BEGIN CERTIFICATE REQUEST-----\nzz", "pc", ""}, now);
  REQUIRE_FALSE(bad_csr);
  CHECK(bad_csr.error().code == ErrorCode::kInvalid);
  CHECK(service.enroll({fresh->token, *csr, "pc-3", ""}, now));
}

TEST_CASE("token durations parse with units") {
  CHECK(parse_duration("90s").value() == 90s);
  CHECK(parse_duration("30m").value() == 1800s);
  CHECK(parse_duration("24h").value() == 86400s);
  CHECK(parse_duration("7d").value() == 604800s);
  CHECK_FALSE(parse_duration("soon"));
  CHECK_FALSE(parse_duration("-5h"));
  CHECK_FALSE(parse_duration("5y"));
}
