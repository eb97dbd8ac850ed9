// Reading, fingerprinting and verifying certificates: the half of certificates.hpp that
// inspects rather than issues (certificates.cpp issues).
#include "shared/pki/certificates.hpp"

#include <cstddef>
#include <memory>
#include <string>

#include <openssl/crypto.h>
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

constexpr std::size_t kMaxCertificatePemBytes = 64 * 1024;

struct StoreDeleter {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct StoreCtxDeleter {
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
struct OpensslStringDeleter {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};

// A character as it can safely appear in an error message.
std::string printable(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string(1, c);
  return "\\x" + to_hex(std::string_view(&c, 1));
}

}  // namespace

Result<std::string> certificate_to_pem(X509* cert) {
  if (cert == nullptr) return fail("certificate_to_pem: no certificate given");
  auto bio = writable_bio();
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return openssl_fail("writing certificate PEM");
  }
  return bio_contents(bio.get());
}

Result<X509Ptr> certificate_from_pem(std::string_view pem) {
  if (pem.empty()) return fail("certificate PEM is empty");
  if (pem.size() > kMaxCertificatePemBytes) {
    return fail("certificate PEM is " + std::to_string(pem.size()) + " bytes, limit is " +
                std::to_string(kMaxCertificatePemBytes));
  }
  auto bio = memory_bio(pem);
  if (!bio) return openssl_fail("reading certificate PEM");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
  if (!cert) return openssl_fail("reading certificate PEM");
  return cert;
}

Result<std::string> certificate_sha256(X509* cert) {
  if (cert == nullptr) return fail("certificate_sha256: no certificate given");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), md, &length) != 1) {
    return openssl_fail("hashing certificate");
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), length));
}

Result<std::string> certificate_common_name(X509* cert) {
  if (cert == nullptr) return fail("certificate_common_name: no certificate given");
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return fail("certificate subject has no commonName");
  unsigned char* utf8 = nullptr;
  int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  std::unique_ptr<unsigned char, OpensslStringDeleter> owned(utf8);
  if (length < 0) return openssl_fail("decoding certificate commonName");
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
}

Result<CertificateValidity> certificate_validity(X509* cert) {
  if (cert == nullptr) return fail("certificate_validity: no certificate given");
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> epoch(ASN1_TIME_set(nullptr, 0),
                                                              &ASN1_TIME_free);
  if (!epoch) return openssl_fail("reading certificate dates");
  auto seconds_since_epoch = [&](const ASN1_TIME* t) -> Result<std::int64_t> {
    int days = 0;
    int seconds = 0;
    if (t == nullptr || ASN1_TIME_diff(&days, &seconds, epoch.get(), t) != 1)
      return openssl_fail("reading certificate dates");
    return static_cast<std::int64_t>(days) * 86400 + seconds;
  };
  auto not_before = seconds_since_epoch(X509_get0_notBefore(cert));
  auto not_after = seconds_since_epoch(X509_get0_notAfter(cert));
  if (!not_before) return tl::unexpected(not_before.error());
  if (!not_after) return tl::unexpected(not_after.error());
  return CertificateValidity{*not_before, *not_after};
}

bool certificate_matches_key(X509* cert, EVP_PKEY* key) {
  if (cert == nullptr || key == nullptr) return false;
  const bool match = X509_check_private_key(cert, key) == 1;
  ERR_clear_error();
  return match;
}

Result<void> verify_certificate(X509* leaf, X509* ca) {
  if (leaf == nullptr || ca == nullptr) return fail("verify_certificate: no certificate given");
  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) != 1) {
    return openssl_fail("setting up certificate verification");
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return fail(std::string("certificate does not verify against the CA: ") +
                X509_verify_cert_error_string(error));
  }
  return {};
}

Result<std::string> normalize_sha256_hex(std::string_view text) {
  std::string hex;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    bool digit = c >= '0' && c <= '9';
    bool lower = c >= 'a' && c <= 'f';
    bool upper = c >= 'A' && c <= 'F';
    if (!digit && !lower && !upper) {
      return fail("SHA-256 fingerprint: `" + printable(c) + "` at position " + std::to_string(i) +
                  " is not a hex digit");
    }
    hex += upper ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (hex.size() != 64) {
    return fail("SHA-256 fingerprint has " + std::to_string(hex.size()) +
                " hex digits, expected 64");
  }
  return hex;
}

}  // namespace triage::pki
