#include "shared/pki/secrets.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "shared/pki/openssl_error.hpp"

namespace triage::pki {
namespace {

using detail::openssl_fail;

struct ScryptParams {
  std::uint64_t n;
  std::uint32_t r;
  std::uint32_t p;
};

// 2^15 * 8 * 128 bytes = 32 MiB and roughly 0.1 s per hash: OWASP's scrypt recommendation.
constexpr ScryptParams kScryptDefaults{std::uint64_t{1} << 15, 8, 1};
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

// Bounds on what a stored hash may ask for, so a hostile or corrupted row cannot make a
// login attempt allocate gigabytes or spin for minutes.
constexpr std::uint64_t kMaxScryptN = std::uint64_t{1} << 20;
constexpr std::uint32_t kMaxScryptR = 32;
constexpr std::uint32_t kMaxScryptP = 16;
constexpr std::uint64_t kMaxScryptMemory = std::uint64_t{128} << 20;
constexpr std::size_t kMinStoredSaltBytes = 8;
constexpr std::size_t kMinStoredHashBytes = 16;
constexpr std::size_t kMaxStoredBytes = 64;

struct KdfDeleter {
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
};
struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "triage: fatal: %s: %s\n", what, detail::drain_openssl_errors().c_str());
  std::abort();
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  // EVP_EncodeBlock takes an int length; chunks that are a multiple of 3 need no padding
  // in the middle.
  constexpr std::size_t kChunk = 3 * 16384;
  for (std::size_t pos = 0; pos < bytes.size(); pos += kChunk) {
    std::size_t len = std::min(kChunk, bytes.size() - pos);
    std::string block(4 * ((len + 2) / 3) + 1, '\0');
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(block.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data() + pos),
                                  static_cast<int>(len));
    out.append(block.data(), static_cast<std::size_t>(written));
  }
  return out;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// What OpenSSL's scrypt allocates: the V array plus the B buffer.
std::uint64_t scrypt_memory(const ScryptParams& s) {
  return std::uint64_t{128} * s.r * (s.n + 2) + std::uint64_t{128} * s.r * s.p;
}

Result<std::string> scrypt(std::string_view password, std::string_view salt, const ScryptParams& s,
                           std::size_t out_len) {
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
  if (!kdf) return openssl_fail("loading scrypt");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return openssl_fail("creating scrypt context");

  std::uint64_t n = s.n;
  std::uint32_t r = s.r;
  std::uint32_t p = s.p;
  std::uint64_t maxmem = kMaxScryptMemory;
  // OSSL_PARAM is a C struct with non-const pointers; OpenSSL only reads these buffers.
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()),
                                        password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  std::string out(out_len, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(), params) !=
      1) {
    return openssl_fail("computing scrypt password hash");
  }
  return out;
}

// A decimal field of the stored hash: digits only, no sign, no leading zeros.
std::optional<std::uint64_t> parse_decimal(std::string_view field) {
  if (field.empty() || field.size() > 12 || (field.size() > 1 && field[0] == '0')) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t pos = text.find(sep, start);
    parts.push_back(text.substr(start, pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  auto* data = reinterpret_cast<unsigned char*>(out.data());
  for (std::size_t done = 0; done < n;) {
    int chunk = static_cast<int>(std::min<std::size_t>(n - done, INT_MAX));
    if (RAND_bytes(data + done, chunk) != 1) die("RAND_bytes failed");
    done += static_cast<std::size_t>(chunk);
  }
  return out;
}

std::string random_token(std::size_t bytes) {
  std::string token = base64_encode(random_bytes(bytes));
  while (!token.empty() && token.back() == '=') token.pop_back();
  std::replace(token.begin(), token.end(), '+', '-');
  std::replace(token.begin(), token.end(), '/', '_');
  return token;
}

std::string random_uuid() {
  std::string b = random_bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = to_hex(b);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20);
}

std::string sha256_raw(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    die("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256_raw(data)); }

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0f];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> hash_password(std::string_view password) {
  std::string salt = random_bytes(kSaltBytes);
  auto hash = scrypt(password, salt, kScryptDefaults, kHashBytes);
  if (!hash) return tl::unexpected(hash.error());
  return "scrypt$" + std::to_string(kScryptDefaults.n) + '$' + std::to_string(kScryptDefaults.r) +
         '$' + std::to_string(kScryptDefaults.p) + '$' + base64_encode(salt) + '$' +
         base64_encode(*hash);
}

// EVP_DecodeBlock alone would skip surrounding whitespace and count padding as zero bytes.
std::optional<std::string> base64_decode_strict(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4 * kMaxStoredBytes) {
    return std::nullopt;
  }
  std::size_t padding = 0;
  while (padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
  if (!std::all_of(text.begin(), text.end() - static_cast<std::ptrdiff_t>(padding),
                   is_base64_char)) {
    return std::nullopt;
  }
  std::string out(text.size() / 4 * 3, '\0');
  int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (decoded < 0 || static_cast<std::size_t>(decoded) < padding) return std::nullopt;
  out.resize(static_cast<std::size_t>(decoded) - padding);
  return out;
}

Result<StoredPasswordHash> parse_password_hash(std::string_view stored) {
  auto parts = split(stored, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") {
    return fail("stored password hash is not in the form scrypt$N$r$p$salt$hash");
  }
  auto n = parse_decimal(parts[1]);
  auto r = parse_decimal(parts[2]);
  auto p = parse_decimal(parts[3]);
  if (!n || !r || !p) return fail("stored password hash: N, r and p must be decimal numbers");
  if (*n < 2 || *n > kMaxScryptN || (*n & (*n - 1)) != 0) {
    return fail("stored password hash: scrypt N=" + std::string(parts[1]) +
                " must be a power of two between 2 and " + std::to_string(kMaxScryptN));
  }
  if (*r < 1 || *r > kMaxScryptR || *p < 1 || *p > kMaxScryptP) {
    return fail("stored password hash: scrypt r=" + std::string(parts[2]) +
                " p=" + std::string(parts[3]) + " out of range (r 1.." +
                std::to_string(kMaxScryptR) + ", p 1.." + std::to_string(kMaxScryptP) + ")");
  }
  ScryptParams params{*n, static_cast<std::uint32_t>(*r), static_cast<std::uint32_t>(*p)};
  if (scrypt_memory(params) > kMaxScryptMemory) {
    return fail("stored password hash: scrypt parameters need " +
                std::to_string(scrypt_memory(params) >> 20) + " MiB, limit is " +
                std::to_string(kMaxScryptMemory >> 20) + " MiB");
  }
  auto salt = base64_decode_strict(parts[4]);
  auto expected = base64_decode_strict(parts[5]);
  if (!salt || !expected) return fail("stored password hash: salt or hash is not valid base64");
  if (salt->size() < kMinStoredSaltBytes || salt->size() > kMaxStoredBytes ||
      expected->size() < kMinStoredHashBytes || expected->size() > kMaxStoredBytes) {
    return fail("stored password hash: salt or hash has an implausible length");
  }
  return StoredPasswordHash{params.n, params.r, params.p, std::move(*salt), std::move(*expected)};
}

Result<bool> verify_password(std::string_view password, std::string_view stored) {
  auto parsed = parse_password_hash(stored);
  if (!parsed) return tl::unexpected(parsed.error());
  auto actual = scrypt(password, parsed->salt, ScryptParams{parsed->n, parsed->r, parsed->p},
                       parsed->hash.size());
  if (!actual) return tl::unexpected(actual.error());
  return constant_time_equal(*actual, parsed->hash);
}

}  // namespace triage::pki
