#include "shared/pki/keys.hpp"

#include <cstddef>
#include <string>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "shared/pki/openssl_error.hpp"
#include "shared/pki/secrets.hpp"

namespace triage::pki {
namespace {

using detail::bio_contents;
using detail::memory_bio;
using detail::no_passphrase;
using detail::openssl_fail;
using detail::writable_bio;

// Key PEMs are a few hundred bytes; the bound keeps hostile input small and fits BIO's int.
constexpr std::size_t kMaxKeyPemBytes = 64 * 1024;

Result<void> check_pem_size(std::string_view pem, std::string_view what) {
  if (pem.empty()) return fail(std::string(what) + " PEM is empty");
  if (pem.size() > kMaxKeyPemBytes) {
    return fail(std::string(what) + " PEM is " + std::to_string(pem.size()) + " bytes, limit is " +
                std::to_string(kMaxKeyPemBytes));
  }
  return {};
}

}  // namespace

Result<PKeyPtr> generate_p256_key() {
  PKeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return openssl_fail("generating ECDSA P-256 key");
  return key;
}

Result<PKeyPtr> generate_ed25519_key() {
  PKeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return openssl_fail("generating Ed25519 key");
  return key;
}

Result<std::string> private_key_to_pem(EVP_PKEY* key) {
  if (key == nullptr) return fail("private_key_to_pem: no key given");
  auto bio = writable_bio();
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_fail("writing private key PEM");
  }
  return bio_contents(bio.get());
}

Result<std::string> public_key_to_pem(EVP_PKEY* key) {
  if (key == nullptr) return fail("public_key_to_pem: no key given");
  auto bio = writable_bio();
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return openssl_fail("writing public key PEM");
  }
  return bio_contents(bio.get());
}

Result<PKeyPtr> private_key_from_pem(std::string_view pem) {
  if (auto ok = check_pem_size(pem, "private key"); !ok) return tl::unexpected(ok.error());
  auto bio = memory_bio(pem);
  if (!bio) return openssl_fail("reading private key PEM");
  PKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) return openssl_fail("reading private key PEM (expected unencrypted PKCS#8)");
  return key;
}

Result<PKeyPtr> public_key_from_pem(std::string_view pem) {
  if (auto ok = check_pem_size(pem, "public key"); !ok) return tl::unexpected(ok.error());
  auto bio = memory_bio(pem);
  if (!bio) return openssl_fail("reading public key PEM");
  PKeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) return openssl_fail("reading public key PEM (expected SubjectPublicKeyInfo)");
  return key;
}

Result<std::string> public_key_id(EVP_PKEY* key) {
  if (key == nullptr) return fail("public_key_id: no key given");
  int size = i2d_PUBKEY(key, nullptr);
  if (size <= 0) return openssl_fail("encoding public key");
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PUBKEY(key, &out) != size) return openssl_fail("encoding public key");
  return sha256_hex(der);
}

}  // namespace triage::pki
