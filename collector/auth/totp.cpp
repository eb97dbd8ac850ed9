#include "collector/auth/totp.hpp"

#include <array>
#include <cctype>

#include <openssl/evp.h>

#include "shared/pki/secrets.hpp"

namespace triage::collector {

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kSecretBytes = 20;

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

std::string base32_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 0x1F];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 0x1F];
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : text) {
    if (c == ' ') continue;
    auto at = kBase32.find(static_cast<char>(std::toupper(c)));
    if (at == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(at);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

Result<std::string> hotp(std::string_view key, std::uint64_t counter, int digits) {
  if (digits < 6 || digits > 8) return fail(ErrorCode::kInvalid, "HOTP digits must be 6 to 8");
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t mac_size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA1", nullptr, key.data(), key.size(), message.data(),
                message.size(), mac.data(), mac.size(), &mac_size) == nullptr ||
      mac_size != 20) {
    return fail(ErrorCode::kFailed, "HMAC-SHA1 failed (OpenSSL)");
  }
  // RFC 4226 section 5.3: dynamic truncation.
  const std::size_t offset = mac[19] & 0x0F;
  const std::uint32_t binary = ((mac[offset] & 0x7Fu) << 24) | (mac[offset + 1] << 16) |
                               (mac[offset + 2] << 8) | mac[offset + 3];
  std::uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::int64_t totp_step(TimePoint now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  return seconds.count() / kTotpStep.count();
}

Result<std::string> totp_code(std::string_view key, std::int64_t step, int digits) {
  if (step < 0) return fail(ErrorCode::kInvalid, "TOTP step before 1970");
  return hotp(key, static_cast<std::uint64_t>(step), digits);
}

std::optional<std::int64_t> match_totp(std::string_view key, std::string_view code, TimePoint now) {
  if (code.size() != static_cast<std::size_t>(kTotpDigits)) return std::nullopt;
  for (unsigned char c : code) {
    if (std::isdigit(c) == 0) return std::nullopt;
  }
  const auto current = totp_step(now);
  std::optional<std::int64_t> matched;
  // Every candidate is computed and compared, so the answer takes as long whichever matched.
  for (std::int64_t step = current - 1; step <= current + 1; ++step) {
    auto expected = totp_code(key, step);
    if (expected && pki::constant_time_equal(*expected, code) && !matched) matched = step;
  }
  return matched;
}

std::string new_totp_secret() { return base32_encode(pki::random_bytes(kSecretBytes)); }

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32) {
  const auto label = percent_encode(issuer) + ":" + percent_encode(account);
  return "otpauth://totp/" + label + "?secret=" + std::string(secret_base32) +
         "&issuer=" + percent_encode(issuer) +
         "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
         "&period=" + std::to_string(kTotpStep.count());
}

}  // namespace triage::collector
