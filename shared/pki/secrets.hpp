#pragma once
// Random tokens, SHA-256, and memory-hard password hashing (scrypt through OpenSSL's EVP_KDF).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/util/result.hpp"

namespace triage::pki {

/// `n` bytes from the OS CSPRNG (RAND_bytes). Aborts on RNG failure: nothing secure can go on.
std::string random_bytes(std::size_t n);

/// A URL-safe random token of `bytes` bytes of entropy (base64url, no padding).
std::string random_token(std::size_t bytes = 32);

/// A random RFC 4122 version-4 UUID in lowercase text form.
std::string random_uuid();

/// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
/// Raw 32-byte SHA-256 of `data`.
std::string sha256_raw(std::string_view data);

/// Lowercase hex of arbitrary bytes.
std::string to_hex(std::string_view bytes);

/// Constant-time equality of two byte strings (length leak only).
bool constant_time_equal(std::string_view a, std::string_view b);

/// Hashes a password with scrypt and a fresh 16-byte salt. The result is self-describing:
/// "scrypt$N$r$p$<salt b64>$<hash b64>", so parameters can be raised later.
Result<std::string> hash_password(std::string_view password);

/// Checks `password` against a string from hash_password(), in constant time over the hash.
/// A malformed stored hash is an error, not a mismatch.
Result<bool> verify_password(std::string_view password, std::string_view stored);

/// The fields of a stored password hash, "scrypt$N$r$p$<salt b64>$<hash b64>".
struct StoredPasswordHash {
  std::uint64_t n = 0;
  std::uint32_t r = 0;
  std::uint32_t p = 0;
  std::string salt;  ///< raw bytes
  std::string hash;  ///< raw bytes
};

/// Parses a stored hash and bounds what it asks for (N a power of two up to 2^20, r, p and the
/// memory scrypt would take, salt and hash lengths), so a corrupted or planted row cannot make
/// a login allocate gigabytes. An error names what is wrong; the hash itself is never echoed.
Result<StoredPasswordHash> parse_password_hash(std::string_view stored);

/// Standard padded base64 and nothing else (no whitespace, no stray '='); nullopt otherwise
/// and for more than 256 characters.
std::optional<std::string> base64_decode_strict(std::string_view text);

}  // namespace triage::pki
