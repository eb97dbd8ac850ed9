#pragma once
// The keys that seal TLS session tickets, kept in a file so that agents resume their sessions
// after the collector restarts: a reconnect storm then costs one X25519 exchange per agent
// instead of a signature and two certificate-chain verifications on each side.
//
// Whoever holds these keys can mint a ticket that says "this connection presented device X's
// certificate", so the file is as secret as the CA key beside it (0600, in the data
// directory's pki/). A ticket only stands for the handshake that issued it: the collector
// still checks at every hello that the device is not revoked and that the certificate is
// within its validity dates (peer_tls.hpp), and tickets always resume with a fresh ECDHE
// exchange (psk_dhe_ke), so a leaked key opens no recorded traffic.

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <openssl/ssl.h>

#include "shared/util/clock.hpp"
#include "shared/util/result.hpp"

namespace triage::transport {

class SessionTicketKeys : public std::enable_shared_from_this<SessionTicketKeys> {
 public:
  /// A ticket is accepted up to this long after its handshake (RFC 8446's maximum).
  static constexpr std::chrono::hours kTicketLifetime{7 * 24};
  /// A new encryption key this often; the older ones only decrypt until their last tickets
  /// have expired.
  static constexpr std::chrono::hours kRotation{24};
  /// Keys in a file at most (one per rotation over a ticket's lifetime, and the current one).
  static constexpr std::size_t kMaxKeys = 16;

  struct Key {
    std::array<unsigned char, 16> name{};
    std::array<unsigned char, 32> hmac_key{};
    std::array<unsigned char, 32> aes_key{};
    std::chrono::system_clock::time_point created;
  };

  /// Reads the key ring from `file`, or starts one there when it is missing. A file that
  /// cannot be read as a key ring, or that group or others may read, is replaced by a new one
  /// (agents then make full handshakes once), and `replaced_reason` says why; failing to write
  /// the file is an error.
  static Result<std::shared_ptr<SessionTicketKeys>> open(const std::filesystem::path& file,
                                                         const Clock& clock,
                                                         std::string* replaced_reason = nullptr);

  /// Makes `ctx` issue one ticket per full handshake, sealed with these keys, and resume the
  /// sessions of tickets sealed with any key still in the ring. The context keeps the ring alive.
  void install(SSL_CTX* ctx);

  /// The key that seals new tickets, after rotating when it is older than kRotation (the file
  /// is rewritten then; if that fails the new key serves from memory and the error is logged).
  Key encryption_key();
  /// The key named `name` while it may still open tickets, and whether it is the current one.
  std::optional<std::pair<Key, bool>> decryption_key(const unsigned char* name);

  std::size_t size() const;

 private:
  SessionTicketKeys(std::filesystem::path file, const Clock& clock)
      : file_(std::move(file)), clock_(clock) {}
  Result<void> save_locked() const;
  /// Drops keys past their use and adds a new one when due; true if the ring changed.
  bool rotate_locked(std::chrono::system_clock::time_point now);

  std::filesystem::path file_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::vector<Key> keys_;  ///< oldest first; the last one seals new tickets
};

}  // namespace triage::transport
