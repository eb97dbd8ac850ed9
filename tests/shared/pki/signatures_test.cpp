#include "shared/pki/signatures.hpp"

#include <catch2/catch.hpp>

#include <string>

#include <openssl/err.h>

#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"

using namespace triage::pki;

namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

PKeyPtr public_only(EVP_PKEY* key) {
  auto pem = public_key_to_pem(key);
  REQUIRE(pem);
  auto pub = public_key_from_pem(*pem);
  REQUIRE(pub);
  return std::move(*pub);
}

}  // namespace

TEST_CASE("Ed25519 signatures verify with the public key alone", "[pki][signatures]") {
  auto key = generate_ed25519_key();
  REQUIRE(key);
  const std::string message = "order 42: restart service spooler";
  auto signature = sign_ed25519(key->get(), message);
  REQUIRE(signature);
  CHECK(signature->size() == 64);
  auto pub = public_only(key->get());
  CHECK(verify_ed25519(pub.get(), message, *signature));
  CHECK(verify_ed25519(key->get(), message, *signature));
  // Ed25519 is deterministic: the same key and message give the same signature.
  CHECK(sign_ed25519(key->get(), message).value() == *signature);
}

TEST_CASE("Ed25519 matches the RFC 8032 test vector", "[pki][signatures]") {
  // RFC 8032 section 7.1, TEST 2 (one-byte message 0x72).
  std::string secret = from_hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  std::string expected = from_hex(
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
      "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
  PKeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char*>(secret.data()),
                                           secret.size()));
  REQUIRE(key);
  auto signature = sign_ed25519(key.get(), "\x72");
  REQUIRE(signature);
  CHECK(to_hex(*signature) == to_hex(expected));
  CHECK(verify_ed25519(public_only(key.get()).get(), "\x72", expected));
}

TEST_CASE("Ed25519 verification fails on any tampering", "[pki][signatures]") {
  auto key = generate_ed25519_key();
  REQUIRE(key);
  const std::string message = "order 7: collect logs";
  auto signature = sign_ed25519(key->get(), message);
  REQUIRE(signature);
  auto pub = public_only(key->get());

  std::string altered_message = message;
  altered_message[0] ^= 0x01;
  CHECK_FALSE(verify_ed25519(pub.get(), altered_message, *signature));
  CHECK_FALSE(verify_ed25519(pub.get(), message + " ", *signature));
  CHECK_FALSE(verify_ed25519(pub.get(), "", *signature));

  std::size_t flip = GENERATE(0, 31, 32, 63);
  std::string altered_signature = *signature;
  altered_signature[flip] ^= 0x01;
  CHECK_FALSE(verify_ed25519(pub.get(), message, altered_signature));
  CHECK_FALSE(verify_ed25519(pub.get(), message, signature->substr(0, 63)));
  CHECK_FALSE(verify_ed25519(pub.get(), message, *signature + '\0'));
  CHECK_FALSE(verify_ed25519(pub.get(), message, ""));
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("Ed25519 verification fails closed on the wrong key", "[pki][signatures]") {
  auto key = generate_ed25519_key();
  auto other = generate_ed25519_key();
  auto p256 = generate_p256_key();
  REQUIRE(key);
  REQUIRE(other);
  REQUIRE(p256);
  auto signature = sign_ed25519(key->get(), "payload");
  REQUIRE(signature);
  CHECK_FALSE(verify_ed25519(other->get(), "payload", *signature));
  CHECK_FALSE(verify_ed25519(p256->get(), "payload", *signature));
  CHECK_FALSE(verify_ed25519(nullptr, "payload", *signature));
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("sign_ed25519 refuses keys that are not Ed25519 private keys", "[pki][signatures]") {
  auto p256 = generate_p256_key();
  REQUIRE(p256);
  auto with_p256 = sign_ed25519(p256->get(), "payload");
  REQUIRE_FALSE(with_p256);
  CHECK_THAT(with_p256.error().message, Catch::Contains("must be Ed25519, got EC"));

  CHECK_FALSE(sign_ed25519(nullptr, "payload"));

  auto key = generate_ed25519_key();
  REQUIRE(key);
  auto pub = public_only(key->get());
  CHECK_FALSE(sign_ed25519(pub.get(), "payload"));
  CHECK(ERR_peek_error() == 0);
}
