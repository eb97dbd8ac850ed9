#pragma once
// Ed25519 signatures over exact byte strings (signed orders).

#include <string>
#include <string_view>

#include "shared/pki/openssl_ptr.hpp"
#include "shared/util/result.hpp"

namespace triage::pki {

/// Signs `message` with an Ed25519 private key; returns the 64-byte signature.
Result<std::string> sign_ed25519(EVP_PKEY* private_key, std::string_view message);

/// True when `signature` is a valid Ed25519 signature of `message` by `public_key`.
/// Fails closed: any error (wrong key type, malformed signature) is `false`.
bool verify_ed25519(EVP_PKEY* public_key, std::string_view message, std::string_view signature);

}  // namespace triage::pki
