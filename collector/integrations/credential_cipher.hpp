#pragma once
// Credentials of integration targets (webhook signing secrets, Request Tracker passwords and
// tokens) are stored encrypted: AES-256-GCM under a key file in the collector's data dir, with
// a fresh 96-bit nonce per encryption and the target's id and URL as additional authenticated
// data, so a ciphertext copied onto another target, or left under a URL changed behind the
// API's back, does not decrypt. The stored text names the key
// ("enc:v2:<key id>:<base64 nonce|ciphertext|tag>"), so a future key rotation can tell them
// apart. "enc:v1:" values (older collectors) were bound to the target id only: they still
// open, and are sealed again bound to id and URL at the next start (seal_stored_secrets()).

#include <filesystem>
#include <string>
#include <string_view>

#include "shared/util/result.hpp"

namespace triage::collector {

/// What seal() writes: bound to target id and URL by the callers below.
inline constexpr std::string_view kSealedPrefix = "enc:v2:";
/// What older collectors wrote: bound to the target id only.
inline constexpr std::string_view kLegacySealedPrefix = "enc:v1:";

class CredentialCipher {
 public:
  /// A cipher with this raw 32-byte key. kInvalid for another length.
  static Result<CredentialCipher> from_key(std::string key);
  /// Loads `path` (32 random bytes, hex), creating it with mode 0600 when missing. Refuses a
  /// key file readable by group or others.
  static Result<CredentialCipher> load_or_create(const std::filesystem::path& path);

  /// First 16 hex digits of the key's SHA-256: names the key without revealing it.
  const std::string& key_id() const { return key_id_; }

  /// Encrypts `plaintext` bound to `aad` (the target: target_aad(id, url)).
  std::string seal(std::string_view plaintext, std::string_view aad) const;
  /// Decrypts a seal() result (or an older collector's "enc:v1:" one). kDenied for another key,
  /// a different `aad`, or any tampering; kInvalid for text that is not a sealed value at all.
  Result<std::string> open(std::string_view sealed, std::string_view aad) const;

 private:
  explicit CredentialCipher(std::string key);
  std::string key_;
  std::string key_id_;
};

/// Whether `text` is a seal() result, of this collector or an older one (not a credential
/// stored in the clear).
bool is_sealed(std::string_view text);

/// Whether `text` is stored in the clear or sealed the older way (bound to the id only).
bool needs_sealing(std::string_view text);

/// The additional authenticated data of target `id` at `url`.
std::string target_aad(std::int64_t id, std::string_view url);
/// The additional authenticated data older collectors used ("enc:v1:"): the id only.
std::string legacy_target_aad(std::int64_t id);

/// The target's secret in the clear: opened with `cipher` when sealed (bound to `target_id`
/// and `url`; an "enc:v1:" value to the id only); a secret still stored in the clear (before
/// the collector sealed it at start) as it is. kDenied when it does not decrypt (another
/// target, a URL changed without the credential), kUnavailable when it is sealed and there is
/// no cipher.
Result<std::string> reveal_secret(const std::string& stored, std::int64_t target_id,
                                  std::string_view url, const CredentialCipher* cipher);

}  // namespace triage::collector
