#include "shared/pki/keys.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "shared/pki/secrets.hpp"

using namespace triage::pki;

namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

std::string group_name(EVP_PKEY* key) {
  char name[64] = {};
  std::size_t length = 0;
  REQUIRE(EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
                                         &length) == 1);
  return std::string(name, length);
}

// SHA-256 of the DER inside a PEM block, found by OpenSSL's raw PEM reader rather than by
// re-encoding the key.
std::string sha256_of_pem_body(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  REQUIRE(PEM_read_bio(bio.get(), &name, &header, &data, &length) == 1);
  unsigned char md[32];
  std::size_t md_length = 0;
  REQUIRE(EVP_Q_digest(nullptr, "SHA256", nullptr, data, static_cast<std::size_t>(length), md,
                       &md_length) == 1);
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return to_hex(std::string(reinterpret_cast<char*>(md), md_length));
}

}  // namespace

TEST_CASE("P-256 keys round-trip through PKCS#8 and SPKI PEM", "[pki][keys]") {
  auto key = generate_p256_key();
  REQUIRE(key);
  CHECK(EVP_PKEY_is_a(key->get(), "EC") == 1);
  CHECK(group_name(key->get()) == "prime256v1");

  auto private_pem = private_key_to_pem(key->get());
  REQUIRE(private_pem);
  CHECK(starts_with(*private_pem, "-----BEGIN PRIVATE KEY-----\n"));
  auto private_back = private_key_from_pem(*private_pem);
  REQUIRE(private_back);
  CHECK(EVP_PKEY_eq(key->get(), private_back->get()) == 1);
  CHECK(private_key_to_pem(private_back->get()).value() == *private_pem);

  auto public_pem = public_key_to_pem(key->get());
  REQUIRE(public_pem);
  CHECK(starts_with(*public_pem, "-----BEGIN PUBLIC KEY-----\n"));
  CHECK(public_pem->find("PRIVATE") == std::string::npos);
  auto public_back = public_key_from_pem(*public_pem);
  REQUIRE(public_back);
  CHECK(EVP_PKEY_eq(key->get(), public_back->get()) == 1);
}

TEST_CASE("Ed25519 keys round-trip through PKCS#8 and SPKI PEM", "[pki][keys]") {
  auto key = generate_ed25519_key();
  REQUIRE(key);
  CHECK(EVP_PKEY_is_a(key->get(), "ED25519") == 1);
  auto private_pem = private_key_to_pem(key->get());
  REQUIRE(private_pem);
  CHECK(starts_with(*private_pem, "-----BEGIN PRIVATE KEY-----\n"));
  auto private_back = private_key_from_pem(*private_pem);
  REQUIRE(private_back);
  CHECK(EVP_PKEY_eq(key->get(), private_back->get()) == 1);

  auto public_pem = public_key_to_pem(key->get());
  REQUIRE(public_pem);
  auto public_back = public_key_from_pem(*public_pem);
  REQUIRE(public_back);
  CHECK(EVP_PKEY_eq(key->get(), public_back->get()) == 1);
}

TEST_CASE("public_key_id is the SHA-256 of the DER SubjectPublicKeyInfo", "[pki][keys]") {
  auto p256 = generate_p256_key();
  auto ed = generate_ed25519_key();
  REQUIRE(p256);
  REQUIRE(ed);
  for (EVP_PKEY* key : {p256->get(), ed->get()}) {
    auto id = public_key_id(key);
    REQUIRE(id);
    CHECK(id->size() == 64);
    CHECK(id->find_first_not_of("0123456789abcdef") == std::string::npos);
    auto public_pem = public_key_to_pem(key);
    REQUIRE(public_pem);
    CHECK(*id == sha256_of_pem_body(*public_pem));
    // Same id from the private key, the public half, and after a PEM round trip.
    auto public_back = public_key_from_pem(*public_pem);
    REQUIRE(public_back);
    CHECK(public_key_id(public_back->get()).value() == *id);
  }
  CHECK(public_key_id(p256->get()).value() != public_key_id(generate_p256_key()->get()).value());
}

TEST_CASE("key PEM readers reject garbage and the wrong kind of PEM", "[pki][keys]") {
  auto key = generate_p256_key();
  REQUIRE(key);
  std::string private_pem = private_key_to_pem(key->get()).value();
  std::string public_pem = public_key_to_pem(key->get()).value();

  CHECK_FALSE(private_key_from_pem(""));
  CHECK_FALSE(private_key_from_pem("not a key"));
  CHECK_FALSE(private_key_from_pem(private_pem.substr(0, private_pem.size() / 2)));
  CHECK_FALSE(private_key_from_pem(public_pem));
  CHECK_FALSE(private_key_from_pem(std::string(100 * 1024, 'A')));
  CHECK_FALSE(public_key_from_pem(""));
  CHECK_FALSE(public_key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
  CHECK_FALSE(public_key_from_pem(private_pem));

  auto error = private_key_from_pem("not a key");
  REQUIRE_FALSE(error);
  CHECK_THAT(error.error().message, Catch::StartsWith("reading private key PEM"));
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("an encrypted private key is refused without prompting", "[pki][keys]") {
  auto key = generate_p256_key();
  REQUIRE(key);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  char passphrase[] = "passphrase";
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio.get(), key->get(), EVP_aes_256_cbc(), passphrase,
                                        sizeof passphrase - 1, nullptr, nullptr) == 1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  std::string encrypted(data, static_cast<std::size_t>(length));
  REQUIRE(starts_with(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  CHECK_FALSE(private_key_from_pem(encrypted));
}

TEST_CASE("private_key_to_pem needs a private key", "[pki][keys]") {
  auto key = generate_ed25519_key();
  REQUIRE(key);
  auto pub = public_key_from_pem(public_key_to_pem(key->get()).value());
  REQUIRE(pub);
  CHECK_FALSE(private_key_to_pem(pub->get()));
  CHECK_FALSE(private_key_to_pem(nullptr));
  CHECK(ERR_peek_error() == 0);
}
