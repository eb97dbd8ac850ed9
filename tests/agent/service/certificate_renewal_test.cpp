// The agent's half of certificate renewal against real keys and certificates: when it asks,
// what it accepts from the collector, and that a renewal interrupted at any step leaves a key
// and a certificate that belong together.
#include <catch2/catch.hpp>

#include "agent/enroll/certificate_renewal.hpp"
#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/util/files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;
using namespace std::chrono_literals;

namespace {

struct Ca {
  pki::PKeyPtr key = std::move(*pki::generate_p256_key());
  pki::X509Ptr certificate = std::move(*pki::make_ca_certificate(key.get(), "test CA", 24h));
  std::string pem() const { return *pki::certificate_to_pem(certificate.get()); }

  /// A device certificate for `key_pem`'s key naming `device`, valid for `lifetime`.
  std::string issue(const std::string& key_pem, const std::string& device,
                    std::chrono::seconds lifetime = 3h) const {
    auto k = pki::private_key_from_pem(key_pem);
    auto cert = pki::issue_device_certificate(
        certificate.get(), key.get(), *pki::make_csr_pem(k->get(), device), device, lifetime);
    return *pki::certificate_to_pem(cert->get());
  }
};

/// An enrolled agent's state directory: device.key, device.pem and its identity.
struct EnrolledState {
  testing::TempDir dir;
  StateDir state{dir.path()};
  AgentIdentity identity;

  explicit EnrolledState(const Ca& ca) {
    identity.enrollment.device_id = "dev-1";
    identity.ca_pem = ca.pem();
    identity.key_pem = *pki::private_key_to_pem(pki::generate_p256_key()->get());
    identity.certificate_pem = ca.issue(identity.key_pem, "dev-1");
    REQUIRE(write_file_atomic(state.device_key(), identity.key_pem, 0600));
    REQUIRE(write_file_atomic(state.device_certificate(), identity.certificate_pem, 0644));
  }
  std::string key() const { return *read_file(state.device_key()); }
  std::string certificate() const { return *read_file(state.device_certificate()); }
  std::filesystem::path file(const char* name) const { return dir.path() / name; }
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("renewal is due once less than a third of the certificate's lifetime is left") {
  Ca ca;
  auto key = *pki::private_key_to_pem(pki::generate_p256_key()->get());
  // 3 h from issue, backdated 5 min: 3 h 5 min in all (a second more if the clock ticked
  // between the two dates).
  const auto pem = ca.issue(key, "dev-1", 3h);
  auto validity = *pki::certificate_validity(pki::certificate_from_pem(pem)->get());
  const auto lifetime = validity.not_after_unix - validity.not_before_unix;
  CHECK(lifetime >= 3 * 3600 + 300);
  CHECK(lifetime <= 3 * 3600 + 301);
  CHECK_FALSE(*renewal_due(pem, unix_now()));
  CHECK_FALSE(*renewal_due(pem, validity.not_after_unix - lifetime / 3));
  CHECK(*renewal_due(pem, validity.not_after_unix - lifetime / 3 + 1));
  CHECK(*renewal_due(pem, validity.not_after_unix + 10));  // expired: all the more
  CHECK_FALSE(renewal_due("not a certificate", unix_now()));
}

TEST_CASE("a renewed certificate is installed only when it is this device's, for the new key") {
  Ca ca;
  EnrolledState s(ca);
  auto renewal = prepare_renewal("dev-1");
  REQUIRE(renewal);
  CHECK(renewal->csr_pem.find("BEGIN CERTIFICATE REQUEST") != std::string::npos);

  Ca other_ca;
  const auto other_key = *pki::private_key_to_pem(pki::generate_p256_key()->get());
  const std::pair<const char*, std::string> wrong[] = {
      {"signed by another CA", other_ca.issue(renewal->key_pem, "dev-1")},
      {"naming another device", ca.issue(renewal->key_pem, "dev-2")},
      {"for another key", ca.issue(other_key, "dev-1")},
      {"not a certificate", "-----BEGIN CERTIFICATE-----\nzz\n-----END CERTIFICATE-----\n"}};
  for (const auto& [what, pem] : wrong) {
    INFO(what);
    CHECK_FALSE(install_renewed_certificate(s.state, s.identity, *renewal, pem));
    CHECK(s.key() == s.identity.key_pem);
    CHECK(s.certificate() == s.identity.certificate_pem);
  }

  const auto renewed = ca.issue(renewal->key_pem, "dev-1");
  REQUIRE(install_renewed_certificate(s.state, s.identity, *renewal, renewed));
  CHECK(s.key() == renewal->key_pem);
  CHECK(s.certificate() == renewed);
  for (const char* leftover : {"device.key.new", "device.pem.new", "device.key.previous"}) {
    INFO(leftover);
    CHECK_FALSE(std::filesystem::exists(s.file(leftover)));
  }
}

TEST_CASE("a renewal interrupted at any step leaves a key and certificate that belong together") {
  Ca ca;
  EnrolledState s(ca);
  auto renewal = *prepare_renewal("dev-1");
  const auto renewed = ca.issue(renewal.key_pem, "dev-1");
  const auto old_key = s.identity.key_pem;
  const auto old_certificate = s.identity.certificate_pem;
  // The steps of install_renewed_certificate: new files written; the key in use set aside;
  // the new key in place; the new certificate in place.
  REQUIRE(write_file_atomic(s.file("device.key.new"), renewal.key_pem, 0600));
  REQUIRE(write_file_atomic(s.file("device.pem.new"), renewed, 0644));

  SECTION("stopped after writing the new files: the old pair stays") {
    REQUIRE(recover_interrupted_renewal(s.state));
    CHECK(s.key() == old_key);
    CHECK(s.certificate() == old_certificate);
  }
  SECTION("stopped with the old key set aside: it comes back") {
    REQUIRE(replace_file(s.state.device_key(), s.file("device.key.previous")));
    REQUIRE(recover_interrupted_renewal(s.state));
    CHECK(s.key() == old_key);
    CHECK(s.certificate() == old_certificate);
  }
  SECTION("stopped with the new key in place: its certificate follows") {
    REQUIRE(replace_file(s.state.device_key(), s.file("device.key.previous")));
    REQUIRE(replace_file(s.file("device.key.new"), s.state.device_key()));
    REQUIRE(recover_interrupted_renewal(s.state));
    CHECK(s.key() == renewal.key_pem);
    CHECK(s.certificate() == renewed);
  }
  SECTION("stopped with the new key in place and its certificate lost: the old pair returns") {
    REQUIRE(replace_file(s.state.device_key(), s.file("device.key.previous")));
    REQUIRE(replace_file(s.file("device.key.new"), s.state.device_key()));
    std::filesystem::remove(s.file("device.pem.new"));
    REQUIRE(recover_interrupted_renewal(s.state));
    CHECK(s.key() == old_key);
    CHECK(s.certificate() == old_certificate);
  }
  for (const char* leftover : {"device.key.new", "device.pem.new", "device.key.previous"}) {
    INFO(leftover);
    CHECK_FALSE(std::filesystem::exists(s.file(leftover)));
  }
}
