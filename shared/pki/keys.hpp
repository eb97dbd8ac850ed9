#pragma once
// Key generation and PEM (de)serialization. TLS keys are ECDSA P-256; order signing is Ed25519.

#include <string>
#include <string_view>

#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"

namespace triage::pki {

/// A new ECDSA P-256 key pair (TLS: CA, server, device).
Result<PKeyPtr> generate_p256_key();

/// A new Ed25519 key pair (order signing).
Result<PKeyPtr> generate_ed25519_key();

/// Unencrypted PKCS#8 PEM of the private key. Store with mode 0600.
Result<std::string> private_key_to_pem(EVP_PKEY* key);
/// SubjectPublicKeyInfo PEM of the public half.
Result<std::string> public_key_to_pem(EVP_PKEY* key);

Result<PKeyPtr> private_key_from_pem(std::string_view pem);
Result<PKeyPtr> public_key_from_pem(std::string_view pem);

/// Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo: a stable key id.
Result<std::string> public_key_id(EVP_PKEY* key);

}  // namespace triage::pki
