#include "collector/integrations/webhook_signature.hpp"

#include <openssl/evp.h>

#include <cstdlib>

#include "shared/pki/secrets.hpp"

namespace triage::collector {

std::string generate_webhook_secret() { return "whsec_" + pki::random_token(32); }

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), out,
                sizeof out, &length) == nullptr) {
    // Only an OpenSSL without SHA-256 gets here; nothing can be signed then.
    std::abort();
  }
  return pki::to_hex(std::string_view(reinterpret_cast<const char*>(out), length));
}

std::string webhook_signature(std::string_view secret, std::int64_t timestamp,
                              std::string_view body) {
  std::string message = std::to_string(timestamp);
  message += '.';
  message += body;
  return "sha256=" + hmac_sha256_hex(secret, message);
}

bool verify_webhook_signature(std::string_view secret, std::int64_t timestamp,
                              std::string_view body, std::string_view signature) {
  return pki::constant_time_equal(webhook_signature(secret, timestamp, body), signature);
}

}  // namespace triage::collector
