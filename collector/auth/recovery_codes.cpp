#include "collector/auth/recovery_codes.hpp"

#include <cctype>

#include "collector/auth/totp.hpp"
#include "shared/pki/secrets.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kCodeBytes = 10;  // 80 bits: 16 base32 characters
constexpr std::size_t kCodeChars = 16;

}  // namespace

std::string new_recovery_code() {
  const auto plain = base32_encode(pki::random_bytes(kCodeBytes));
  std::string shown;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (i > 0 && i % 4 == 0) shown += '-';
    shown += static_cast<char>(std::tolower(static_cast<unsigned char>(plain[i])));
  }
  return shown;
}

std::vector<std::string> new_recovery_codes(int count) {
  std::vector<std::string> codes;
  for (int i = 0; i < count; ++i) codes.push_back(new_recovery_code());
  return codes;
}

std::optional<std::string> recovery_code_hash(std::string_view typed) {
  if (typed.size() > 64) return std::nullopt;
  std::string normal;
  for (unsigned char c : typed) {
    if (c == '-' || c == ' ') continue;
    normal += static_cast<char>(std::toupper(c));
  }
  if (normal.size() != kCodeChars) return std::nullopt;
  auto bytes = base32_decode(normal);
  if (!bytes || bytes->size() != kCodeBytes) return std::nullopt;
  return pki::sha256_hex(normal);
}

}  // namespace triage::collector
