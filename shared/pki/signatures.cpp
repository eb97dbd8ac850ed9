#include "shared/pki/signatures.hpp"

#include <cstddef>
#include <memory>
#include <string>

#include <openssl/err.h>

#include "shared/pki/openssl_error.hpp"

namespace triage::pki {
namespace {

using detail::openssl_fail;

constexpr std::size_t kEd25519SignatureBytes = 64;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Result<std::string> sign_ed25519(EVP_PKEY* private_key, std::string_view message) {
  if (private_key == nullptr) return fail("sign_ed25519: no key given");
  if (EVP_PKEY_is_a(private_key, "ED25519") != 1) {
    const char* type = EVP_PKEY_get0_type_name(private_key);
    return fail(std::string("order signing key must be Ed25519, got ") +
                (type != nullptr ? type : "an unknown key type"));
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  // Ed25519 hashes internally (PureEdDSA), hence no digest and the one-shot call.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, private_key) != 1) {
    return openssl_fail("starting Ed25519 signature");
  }
  std::string signature(kEd25519SignatureBytes, '\0');
  std::size_t length = signature.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     bytes(message), message.size()) != 1) {
    return openssl_fail("Ed25519 signing");
  }
  signature.resize(length);
  return signature;
}

bool verify_ed25519(EVP_PKEY* public_key, std::string_view message, std::string_view signature) {
  if (public_key == nullptr || signature.size() != kEd25519SignatureBytes ||
      EVP_PKEY_is_a(public_key, "ED25519") != 1) {
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool valid = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, public_key) == 1 &&
               EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message),
                                message.size()) == 1;
  // A bad signature is an answer, not an error: leave no stale entries for the next caller.
  if (!valid) ERR_clear_error();
  return valid;
}

}  // namespace triage::pki
