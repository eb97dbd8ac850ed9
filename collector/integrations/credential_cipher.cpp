#include "collector/integrations/credential_cipher.hpp"

#include <sys/stat.h>

#include <memory>

#include <openssl/evp.h>

#include "shared/pki/secrets.hpp"
#include "shared/util/files.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(data),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return fail(ErrorCode::kInvalid, "bad base64");
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(text),
                          static_cast<int>(text.size()));
  if (n < 0) return fail(ErrorCode::kInvalid, "bad base64");
  // EVP_DecodeBlock counts padding as zero bytes.
  std::size_t len = static_cast<std::size_t>(n);
  if (text.ends_with("==")) {
    len -= 2;
  } else if (text.ends_with("=")) {
    len -= 1;
  }
  out.resize(len);
  return out;
}

Result<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return fail(ErrorCode::kInvalid, "odd number of hex digits");
  std::string out;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return fail(ErrorCode::kInvalid, "not hex");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

bool is_sealed(std::string_view text) {
  return text.starts_with(kSealedPrefix) || text.starts_with(kLegacySealedPrefix);
}

bool needs_sealing(std::string_view text) {
  return !text.empty() && !text.starts_with(kSealedPrefix);
}

std::string legacy_target_aad(std::int64_t id) {
  return "integration_target:" + std::to_string(id);
}

std::string target_aad(std::int64_t id, std::string_view url) {
  // The length keeps "id 1, url x" and any other split of the same bytes apart.
  return legacy_target_aad(id) + "\nurl:" + std::to_string(url.size()) + ":" + std::string(url);
}

Result<std::string> reveal_secret(const std::string& stored, std::int64_t target_id,
                                  std::string_view url, const CredentialCipher* cipher) {
  if (!is_sealed(stored)) return stored;
  if (!cipher) return fail(ErrorCode::kUnavailable, "no credentials key to decrypt with");
  if (stored.starts_with(kLegacySealedPrefix)) {
    return cipher->open(stored, legacy_target_aad(target_id));
  }
  auto opened = cipher->open(stored, target_aad(target_id, url));
  if (!opened && opened.error().code == ErrorCode::kDenied) {
    return fail(ErrorCode::kDenied, opened.error().message +
                                        "; if the target's URL changed, give its credentials "
                                        "again");
  }
  return opened;
}

CredentialCipher::CredentialCipher(std::string key)
    : key_(std::move(key)), key_id_(pki::sha256_hex(key_).substr(0, 16)) {}

Result<CredentialCipher> CredentialCipher::from_key(std::string key) {
  if (key.size() != kKeyBytes) {
    return fail(ErrorCode::kInvalid, "the credentials key must be 32 bytes");
  }
  return CredentialCipher(std::move(key));
}

Result<CredentialCipher> CredentialCipher::load_or_create(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    auto written = write_file_atomic(path, pki::to_hex(pki::random_bytes(kKeyBytes)) + "\n", 0600);
    if (!written) return fail("writing " + path.string(), written.error());
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail("cannot stat " + path.string());
  if ((st.st_mode & 077) != 0) {
    return fail(ErrorCode::kDenied,
                path.string() + " is readable by group or others; chmod 600 it");
  }
  auto text = read_file(path, 1024);
  if (!text) return fail("reading " + path.string(), text.error());
  std::string_view hex = *text;
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.remove_suffix(1);
  auto key = from_hex(hex);
  if (!key || key->size() != kKeyBytes) {
    return fail(ErrorCode::kInvalid, path.string() + " must hold 64 hex digits (a 256-bit key)");
  }
  return from_key(std::move(*key));
}

std::string CredentialCipher::seal(std::string_view plaintext, std::string_view aad) const {
  const std::string nonce = pki::random_bytes(kNonceBytes);
  std::string out(plaintext.size() + kTagBytes, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0, total = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  // These calls fail only on allocation failure or misuse; abort rather than store garbage.
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o, &len, bytes(plaintext), static_cast<int>(plaintext.size())) !=
          1) {
    std::abort();
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), o + total, &len) != 1) std::abort();
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, o + total) != 1) {
    std::abort();
  }
  out.resize(static_cast<std::size_t>(total) + kTagBytes);
  return std::string(kSealedPrefix) + key_id_ + ":" + base64_encode(nonce + out);
}

Result<std::string> CredentialCipher::open(std::string_view sealed, std::string_view aad) const {
  if (!is_sealed(sealed)) return fail(ErrorCode::kInvalid, "not an encrypted credential");
  static_assert(kSealedPrefix.size() == kLegacySealedPrefix.size());
  auto rest = sealed.substr(kSealedPrefix.size());
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) return fail(ErrorCode::kInvalid, "malformed credential");
  if (rest.substr(0, colon) != key_id_) {
    return fail(ErrorCode::kDenied,
                "the credential was encrypted under another key (" +
                    std::string(rest.substr(0, std::min<std::size_t>(colon, 16))) + ")");
  }
  auto raw = base64_decode(rest.substr(colon + 1));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) {
    return fail(ErrorCode::kInvalid, "malformed credential");
  }
  std::string_view all = *raw;
  auto nonce = all.substr(0, kNonceBytes);
  auto cipher = all.substr(kNonceBytes, all.size() - kNonceBytes - kTagBytes);
  std::string tag(all.substr(all.size() - kTagBytes));
  std::string out(cipher.size() + 1, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0, total = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), o, &len, bytes(cipher), static_cast<int>(cipher.size())) != 1) {
    return fail(ErrorCode::kDenied, "the credential does not decrypt");
  }
  total = len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), o + total, &len) != 1) {
    return fail(ErrorCode::kDenied,
                "the credential does not decrypt (tampered, or bound to another target)");
  }
  total += len;
  out.resize(static_cast<std::size_t>(total));
  return out;
}

}  // namespace triage::collector
