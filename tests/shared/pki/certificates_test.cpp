#include "shared/pki/certificates.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"

using namespace triage::pki;
using namespace std::chrono_literals;

namespace {

struct TestCa {
  PKeyPtr key;
  X509Ptr cert;
};

TestCa make_ca(const std::string& name) {
  auto key = generate_p256_key();
  REQUIRE(key);
  auto cert = make_ca_certificate(key->get(), name, 24h * 3650);
  REQUIRE(cert);
  return {std::move(*key), std::move(*cert)};
}

PKeyPtr p256() {
  auto key = generate_p256_key();
  REQUIRE(key);
  return std::move(*key);
}

std::string csr_for(EVP_PKEY* key, const std::string& cn = "laptop-42") {
  auto pem = make_csr_pem(key, cn);
  REQUIRE(pem);
  return *pem;
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr mem_bio() { return BioPtr(BIO_new(BIO_s_mem()), &BIO_free); }

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

// The DER body of the first PEM block, through OpenSSL's raw PEM reader.
std::string pem_body(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  REQUIRE(PEM_read_bio(bio.get(), &name, &header, &data, &length) == 1);
  std::string der(reinterpret_cast<char*>(data), static_cast<std::size_t>(length));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return der;
}

std::string to_pem(const std::string& der, const char* name) {
  auto bio = mem_bio();
  REQUIRE(PEM_write_bio(bio.get(), name, "", reinterpret_cast<const unsigned char*>(der.data()),
                        static_cast<long>(der.size())) > 0);
  return bio_text(bio.get());
}

struct Sans {
  std::set<std::string> dns;
  std::set<std::string> ips;  // hex of the raw address bytes
};

Sans subject_alt_names(X509* cert) {
  Sans sans;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return sans;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    const ASN1_STRING* value = name->d.ia5;
    std::string bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                      static_cast<std::size_t>(ASN1_STRING_length(value)));
    if (name->type == GEN_DNS) sans.dns.insert(bytes);
    if (name->type == GEN_IPADD) sans.ips.insert(to_hex(bytes));
  }
  GENERAL_NAMES_free(names);
  return sans;
}

bool is_critical(X509* cert, int nid) {
  int index = X509_get_ext_by_NID(cert, nid, -1);
  REQUIRE(index >= 0);
  return X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

// Seconds from now until `time` (negative: in the past).
long seconds_from_now(const ASN1_TIME* time) {
  int days = 0;
  int seconds = 0;
  REQUIRE(ASN1_TIME_diff(&days, &seconds, nullptr, time) == 1);
  return static_cast<long>(days) * 86400 + seconds;
}

// A CSR asking for much more than a device should get: a CA bit and a server name.
std::string greedy_csr(EVP_PKEY* key) {
  X509ReqPtr req(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  auto add = [&](const char* field, const char* value) {
    REQUIRE(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value), -1, -1,
                                       0) == 1);
  };
  add("CN", "collector.example.com");
  add("O", "Evil Corp");
  REQUIRE(X509_REQ_set_pubkey(req.get(), key) == 1);
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(
      exts, X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:TRUE"));
  sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name,
                                                   "DNS:collector.example.com"));
  sk_X509_EXTENSION_push(exts,
                         X509V3_EXT_conf_nid(nullptr, nullptr, NID_ext_key_usage, "serverAuth"));
  REQUIRE(X509_REQ_add_extensions(req.get(), exts) == 1);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  REQUIRE(X509_REQ_sign(req.get(), key, EVP_sha256()) > 0);
  auto bio = mem_bio();
  REQUIRE(PEM_write_bio_X509_REQ(bio.get(), req.get()) == 1);
  return bio_text(bio.get());
}

}  // namespace

TEST_CASE("CA certificate is a self-signed v3 CA with the right constraints", "[pki][certs]") {
  TestCa ca = make_ca("triage test CA");
  X509* cert = ca.cert.get();
  CHECK(X509_get_version(cert) == X509_VERSION_3);
  CHECK(certificate_common_name(cert).value() == "triage test CA");
  CHECK(X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0);
  CHECK(X509_check_ca(cert) == 1);
  CHECK(X509_get_pathlen(cert) == 0);
  CHECK(is_critical(cert, NID_basic_constraints));
  CHECK(is_critical(cert, NID_key_usage));
  CHECK(X509_get_key_usage(cert) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  CHECK(X509_get0_subject_key_id(cert) != nullptr);
  CHECK(X509_get_signature_nid(cert) == NID_ecdsa_with_SHA256);
  CHECK(verify_certificate(cert, cert));

  // Backdated five minutes for clock skew; valid for the requested ten years.
  long not_before = seconds_from_now(X509_get0_notBefore(cert));
  CHECK(not_before <= -295);
  CHECK(not_before >= -330);
  long not_after = seconds_from_now(X509_get0_notAfter(cert));
  CHECK(not_after >= 3650L * 86400 - 30);
  CHECK(not_after <= 3650L * 86400 + 5);
}

TEST_CASE("certificate serials are random, positive and at most 20 octets", "[pki][certs]") {
  std::set<std::string> serials;
  auto key = p256();
  for (int i = 0; i < 8; ++i) {
    auto cert = make_ca_certificate(key.get(), "ca", 24h);
    REQUIRE(cert);
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert->get());
    CHECK(ASN1_STRING_type(serial) == V_ASN1_INTEGER);  // V_ASN1_NEG_INTEGER if negative
    CHECK(ASN1_STRING_length(serial) <= 20);
    CHECK(ASN1_STRING_length(serial) >= 10);
    serials.insert(to_hex(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial)),
                                      static_cast<std::size_t>(ASN1_STRING_length(serial)))));
  }
  CHECK(serials.size() == 8);
}

TEST_CASE("server certificate chains to its CA and carries the SANs", "[pki][certs]") {
  TestCa ca = make_ca("triage test CA");
  auto key = p256();
  auto cert = issue_server_certificate(ca.cert.get(), ca.key.get(), key.get(), "collector",
                                       {"collector.example.com", "localhost"}, {"127.0.0.1", "::1"},
                                       24h * 365);
  REQUIRE(cert);
  X509* server = cert->get();
  CHECK(verify_certificate(server, ca.cert.get()));
  CHECK(certificate_common_name(server).value() == "collector");
  CHECK(X509_NAME_cmp(X509_get_issuer_name(server), X509_get_subject_name(ca.cert.get())) == 0);
  CHECK(EVP_PKEY_eq(X509_get0_pubkey(server), key.get()) == 1);

  Sans sans = subject_alt_names(server);
  CHECK(sans.dns == std::set<std::string>{"collector.example.com", "localhost"});
  CHECK(sans.ips == std::set<std::string>{"7f000001", "00000000000000000000000000000001"});
  CHECK(X509_check_host(server, "collector.example.com", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(server, "other.example.com", 0, 0, nullptr) == 0);
  CHECK(X509_check_ip_asc(server, "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(server, "127.0.0.2", 0) == 0);

  CHECK(X509_check_ca(server) == 0);
  CHECK(X509_check_purpose(server, X509_PURPOSE_SSL_SERVER, 0) == 1);
  CHECK(X509_check_purpose(server, X509_PURPOSE_SSL_CLIENT, 0) == 0);
  CHECK(X509_get_key_usage(server) == KU_DIGITAL_SIGNATURE);
  CHECK(X509_get_extended_key_usage(server) == XKU_SSL_SERVER);
  const ASN1_OCTET_STRING* authority = X509_get0_authority_key_id(server);
  REQUIRE(authority != nullptr);
  CHECK(ASN1_OCTET_STRING_cmp(authority, X509_get0_subject_key_id(ca.cert.get())) == 0);
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("server certificate inputs are validated", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  TestCa other = make_ca("other ca");
  auto key = p256();
  auto issue = [&](std::vector<std::string> dns, std::vector<std::string> ips, EVP_PKEY* ca_key) {
    return issue_server_certificate(ca.cert.get(), ca_key, key.get(), "collector", dns, ips, 24h);
  };
  CHECK(issue({"ok.example.com"}, {"10.0.0.1", "fe80::1"}, ca.key.get()));
  CHECK_FALSE(issue({}, {}, ca.key.get()));
  CHECK_FALSE(issue({"a.example.com,IP:1.2.3.4"}, {}, ca.key.get()));
  CHECK_FALSE(issue({""}, {}, ca.key.get()));
  std::string bad_ip =
      GENERATE("10.0.0.1x", "300.1.1.1", "1.2.3", "1.2.3.4.5", "localhost", "::g", "");
  INFO("ip: " << bad_ip);
  auto result = issue({}, {bad_ip}, ca.key.get());
  REQUIRE_FALSE(result);
  CHECK_THAT(result.error().message, Catch::Contains("IP address"));
  auto mismatched = issue({"ok.example.com"}, {}, other.key.get());
  REQUIRE_FALSE(mismatched);
  CHECK_THAT(mismatched.error().message, Catch::Contains("CA key does not match"));
  CHECK_FALSE(issue_server_certificate(ca.cert.get(), ca.key.get(), key.get(), "collector",
                                       {"ok.example.com"}, {}, 0h));
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("a server certificate from another CA does not verify", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  TestCa other = make_ca("ca");  // same name, different key
  auto key = p256();
  auto cert = issue_server_certificate(other.cert.get(), other.key.get(), key.get(), "collector",
                                       {"localhost"}, {}, 24h);
  REQUIRE(cert);
  CHECK(verify_certificate(cert->get(), other.cert.get()));
  CHECK_FALSE(verify_certificate(cert->get(), ca.cert.get()));
}

TEST_CASE("device certificate from a CSR chains to its CA only", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  TestCa other = make_ca("other ca");
  auto device_key = p256();
  auto cert = issue_device_certificate(ca.cert.get(), ca.key.get(), csr_for(device_key.get()),
                                       "dev-0001", 24h * 90);
  REQUIRE(cert);
  CHECK(verify_certificate(cert->get(), ca.cert.get()));
  auto wrong = verify_certificate(cert->get(), other.cert.get());
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().message, Catch::Contains("unable to get local issuer certificate"));

  CHECK(EVP_PKEY_eq(X509_get0_pubkey(cert->get()), device_key.get()) == 1);
  CHECK(X509_check_ca(cert->get()) == 0);
  CHECK(X509_check_purpose(cert->get(), X509_PURPOSE_SSL_CLIENT, 0) == 1);
  CHECK(X509_check_purpose(cert->get(), X509_PURPOSE_SSL_SERVER, 0) == 0);
  CHECK(X509_get_extended_key_usage(cert->get()) == XKU_SSL_CLIENT);
  long not_after = seconds_from_now(X509_get0_notAfter(cert->get()));
  CHECK(not_after >= 90L * 86400 - 30);
  CHECK(not_after <= 90L * 86400 + 5);
}

TEST_CASE("device certificate names the device, whatever the CSR asked for", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  auto device_key = p256();
  std::string csr;
  SECTION("CSR asks for another common name") {
    csr = csr_for(device_key.get(), "collector.example.com");
  }
  SECTION("CSR asks for more names, CA:TRUE and serverAuth") { csr = greedy_csr(device_key.get()); }
  auto cert = issue_device_certificate(ca.cert.get(), ca.key.get(), csr, "dev-0001", 24h);
  REQUIRE(cert);
  CHECK(certificate_common_name(cert->get()).value() == "dev-0001");
  CHECK(X509_NAME_entry_count(X509_get_subject_name(cert->get())) == 1);
  CHECK(X509_check_ca(cert->get()) == 0);
  CHECK(X509_get_ext_by_NID(cert->get(), NID_subject_alt_name, -1) < 0);
  CHECK(X509_get_extended_key_usage(cert->get()) == XKU_SSL_CLIENT);
  CHECK(verify_certificate(cert->get(), ca.cert.get()));
}

TEST_CASE("CSR keys other than ECDSA P-256 are rejected", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  auto ed = generate_ed25519_key();
  REQUIRE(ed);
  PKeyPtr rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
  PKeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  REQUIRE(rsa);
  REQUIRE(p384);
  struct Case {
    EVP_PKEY* key;
    const char* got;
  };
  for (Case c :
       {Case{ed->get(), "ED25519"}, Case{rsa.get(), "RSA"}, Case{p384.get(), "EC secp384r1"}}) {
    auto result =
        issue_device_certificate(ca.cert.get(), ca.key.get(), csr_for(c.key), "dev-1", 24h);
    REQUIRE_FALSE(result);
    CHECK(result.error().message == std::string("CSR key must be ECDSA P-256, got ") + c.got);
  }
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("a P-256 CSR key with explicit curve parameters is rejected", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), &EVP_PKEY_CTX_free);
  REQUIRE(ctx);
  char group[] = "P-256";
  char encoding[] = "explicit";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
                         OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, encoding, 0),
                         OSSL_PARAM_construct_end()};
  EVP_PKEY* raw = nullptr;
  REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
  REQUIRE(EVP_PKEY_CTX_set_params(ctx.get(), params) == 1);
  REQUIRE(EVP_PKEY_generate(ctx.get(), &raw) == 1);
  PKeyPtr key(raw);
  std::string csr = csr_for(key.get());
  REQUIRE(pem_body(csr).find("\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07") == std::string::npos);
  auto result = issue_device_certificate(ca.cert.get(), ca.key.get(), csr, "dev-1", 24h);
  REQUIRE_FALSE(result);
  CHECK_THAT(result.error().message, Catch::StartsWith("CSR key must be ECDSA P-256, got ") &&
                                         Catch::Contains("explicit curve parameters"));
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("malformed, truncated and oversized CSRs are rejected", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  auto key = p256();
  std::string good = csr_for(key.get());
  std::string cert_pem = certificate_to_pem(ca.cert.get()).value();
  std::string encrypted_header = good;
  encrypted_header.insert(good.find('\n') + 1,
                          "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
                          "00112233445566778899AABBCCDDEEFF\n\n");
  std::string csr = GENERATE_COPY(
      std::string(""), std::string("garbage"), std::string(std::string("\0\xff\x01", 3)),
      std::string("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"),
      good.substr(0, good.size() / 2),
      good.substr(0, good.size() - 40) + "\n" + good.substr(good.size() - 36), cert_pem,
      encrypted_header, std::string(17 * 1024, 'A'), std::string(16 * 1024, '#') + "\n" + good);
  INFO("CSR: " << csr.substr(0, 200));
  auto result = issue_device_certificate(ca.cert.get(), ca.key.get(), csr, "dev-1", 24h);
  REQUIRE_FALSE(result);
  CHECK_FALSE(result.error().message.empty());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("oversized CSR error names the limit", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  auto result =
      issue_device_certificate(ca.cert.get(), ca.key.get(), std::string(20000, 'A'), "dev-1", 24h);
  REQUIRE_FALSE(result);
  CHECK(result.error().message == "CSR is 20000 bytes, limit is 16384");
}

TEST_CASE("a CSR whose signature does not match its content is rejected", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  auto key = p256();
  std::string der = pem_body(csr_for(key.get()));
  SECTION("flipped signature byte") {
    // The last DER byte belongs to the ECDSA signature's S value.
    der.back() = static_cast<char>(der.back() ^ 0x01);
  }
  SECTION("subject changed after signing") {
    // "laptop-42" -> "laptop-43" inside the signed request info.
    auto pos = der.find("laptop-42");
    REQUIRE(pos != std::string::npos);
    der[pos + 8] = '3';
  }
  auto result = issue_device_certificate(ca.cert.get(), ca.key.get(),
                                         to_pem(der, "CERTIFICATE REQUEST"), "dev-1", 24h);
  REQUIRE_FALSE(result);
  CHECK(result.error().message == "CSR signature does not verify");
}

TEST_CASE("device id and CA key are checked", "[pki][certs]") {
  TestCa ca = make_ca("ca");
  TestCa other = make_ca("other");
  auto key = p256();
  std::string csr = csr_for(key.get());
  CHECK_FALSE(issue_device_certificate(ca.cert.get(), ca.key.get(), csr, "", 24h));
  CHECK_FALSE(
      issue_device_certificate(ca.cert.get(), ca.key.get(), csr, std::string(65, 'd'), 24h));
  CHECK(issue_device_certificate(ca.cert.get(), ca.key.get(), csr, std::string(64, 'd'), 24h));
  CHECK_FALSE(issue_device_certificate(ca.cert.get(), other.key.get(), csr, "dev-1", 24h));
  CHECK_FALSE(issue_device_certificate(ca.cert.get(), ca.key.get(), csr, "dev-1", -1h));
}

TEST_CASE("certificates round-trip through PEM", "[pki][certs]") {
  TestCa ca = make_ca("round trip");
  auto pem = certificate_to_pem(ca.cert.get());
  REQUIRE(pem);
  CHECK(pem->rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
  auto back = certificate_from_pem(*pem);
  REQUIRE(back);
  CHECK(X509_cmp(back->get(), ca.cert.get()) == 0);
  CHECK(certificate_sha256(back->get()).value() == certificate_sha256(ca.cert.get()).value());

  CHECK_FALSE(certificate_from_pem(""));
  CHECK_FALSE(certificate_from_pem("junk"));
  CHECK_FALSE(certificate_from_pem(pem->substr(0, pem->size() / 2)));
  CHECK_FALSE(certificate_from_pem(std::string(100 * 1024, 'A')));
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("certificate_sha256 is the SHA-256 of the DER certificate", "[pki][certs]") {
  TestCa ca = make_ca("fingerprint");
  auto fingerprint = certificate_sha256(ca.cert.get());
  REQUIRE(fingerprint);
  std::string der = pem_body(certificate_to_pem(ca.cert.get()).value());
  unsigned char md[32];
  std::size_t length = 0;
  REQUIRE(EVP_Q_digest(nullptr, "SHA256", nullptr, der.data(), der.size(), md, &length) == 1);
  CHECK(*fingerprint == to_hex(std::string(reinterpret_cast<char*>(md), length)));
  CHECK(fingerprint->size() == 64);
}

TEST_CASE("normalize_sha256_hex accepts the usual ways of writing a fingerprint", "[pki][certs]") {
  const std::string hex = sha256_hex("some certificate");
  std::string upper_colons;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) upper_colons += ':';
    upper_colons += static_cast<char>(std::toupper(hex[i]));
    upper_colons += static_cast<char>(std::toupper(hex[i + 1]));
  }
  CHECK(normalize_sha256_hex(hex).value() == hex);
  CHECK(normalize_sha256_hex(upper_colons).value() == hex);
  CHECK(normalize_sha256_hex("  " + hex.substr(0, 32) + " \t" + hex.substr(32) + "\n").value() ==
        hex);
}

TEST_CASE("normalize_sha256_hex says what is wrong", "[pki][certs]") {
  const std::string hex = sha256_hex("x");
  auto short_one = normalize_sha256_hex(hex.substr(1));
  REQUIRE_FALSE(short_one);
  CHECK_THAT(short_one.error().message, Catch::Contains("63 hex digits, expected 64"));
  auto long_one = normalize_sha256_hex(hex + "a");
  REQUIRE_FALSE(long_one);
  CHECK_THAT(long_one.error().message, Catch::Contains("65 hex digits"));
  auto non_hex = normalize_sha256_hex("g" + hex.substr(1));
  REQUIRE_FALSE(non_hex);
  CHECK_THAT(non_hex.error().message, Catch::Contains("`g` at position 0 is not a hex digit"));
  CHECK_FALSE(normalize_sha256_hex(""));
  CHECK_FALSE(normalize_sha256_hex(hex.substr(0, 62) + "-" + hex.substr(63)));
}
