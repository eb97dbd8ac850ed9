#include "shared/transport/session_ticket_keys.hpp"

#include <algorithm>
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <nlohmann/json.hpp>

#include "shared/pki/secrets.hpp"
#include "shared/util/files.hpp"
#include "shared/util/json_fields.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::transport {
namespace {

using Json = nlohmann::json;
using SystemTime = std::chrono::system_clock::time_point;

constexpr std::size_t kMaxFileBytes = 64 * 1024;

// A key may open tickets for a ticket's lifetime after it stopped sealing new ones.
constexpr auto kKeyUsefulFor = SessionTicketKeys::kTicketLifetime + SessionTicketKeys::kRotation;

// Latest `created_unix` read: past it the time would overflow system_clock's nanoseconds
// (year 2242); a key from the future is dropped at rotation anyway.
constexpr std::int64_t kMaxCreatedUnix = std::int64_t{1} << 33;

template <std::size_t N>
bool from_hex(const std::string& text, std::array<unsigned char, N>& out) {
  if (text.size() != 2 * N) return false;
  std::size_t length = 0;
  return OPENSSL_hexstr2buf_ex(out.data(), out.size(), &length, text.c_str(), '\0') == 1 &&
         length == N;
}

template <std::size_t N>
std::string to_hex(const std::array<unsigned char, N>& bytes) {
  return pki::to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}

std::int64_t unix_seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

SessionTicketKeys::Key new_key(SystemTime now) {
  SessionTicketKeys::Key key;
  auto fill = [](auto& array) {
    auto bytes = pki::random_bytes(array.size());
    std::memcpy(array.data(), bytes.data(), array.size());
  };
  fill(key.name);
  fill(key.hmac_key);
  fill(key.aes_key);
  key.created = now;
  return key;
}

Result<std::vector<SessionTicketKeys::Key>> parse_ring(const std::string& text) {
  auto json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("keys") ||
      !json["keys"].is_array()) {
    return fail("not a JSON object with a \"keys\" array");
  }
  if (json["keys"].empty() || json["keys"].size() > SessionTicketKeys::kMaxKeys) {
    return fail("holds " + std::to_string(json["keys"].size()) + " keys (1 to " +
                std::to_string(SessionTicketKeys::kMaxKeys) + " expected)");
  }
  std::vector<SessionTicketKeys::Key> keys;
  for (const auto& entry : json["keys"]) {
    SessionTicketKeys::Key key;
    const auto created = int_field(entry, "created_unix", -1);
    if (created < 0 || created > kMaxCreatedUnix ||
        !from_hex(string_field(entry, "name"), key.name) ||
        !from_hex(string_field(entry, "hmac_key"), key.hmac_key) ||
        !from_hex(string_field(entry, "aes_key"), key.aes_key)) {
      return fail(
          "a key needs name (16 bytes), hmac_key and aes_key (32 bytes) in hex and "
          "created_unix (seconds since 1970)");
    }
    key.created = SystemTime(std::chrono::seconds(created));
    keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.created < b.created; });
  return keys;
}

// Keys another account may have read are not used again: they are replaced like an unreadable
// file. (Windows reports no POSIX modes; the collector runs on Linux.)
Result<void> readable_only_by_owner(const std::filesystem::path& file) {
#ifndef _WIN32
  using std::filesystem::perms;
  std::error_code ec;
  const auto mode = std::filesystem::status(file, ec).permissions();
  if (ec) return fail("cannot read its mode: " + ec.message());
  if ((mode & (perms::group_all | perms::others_all)) != perms::none) {
    return fail("readable by group or others (expected 0600), so its keys may have been read");
  }
#else
  (void)file;
#endif
  return {};
}

int ring_index() {
  static const int index = SSL_CTX_get_ex_new_index(
      0, nullptr, nullptr, nullptr, [](void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
        delete static_cast<std::shared_ptr<SessionTicketKeys>*>(ptr);
      });
  return index;
}

Result<void> set_mac_key(EVP_MAC_CTX* mac, const SessionTicketKeys::Key& key) {
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key.hmac_key.data()), key.hmac_key.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(mac, params) != 1) return fail("ticket HMAC setup failed");
  return {};
}

// OpenSSL's ticket callback: 1 = sealed / opened with the current key, 2 = opened with an
// older key (OpenSSL then issues a fresh ticket), 0 = no such key (a full handshake follows),
// -1 = error (the handshake fails).
int seal_or_open_ticket(SSL* ssl, unsigned char key_name[16], unsigned char* iv,
                        EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int seal) {
  auto* holder = static_cast<std::shared_ptr<SessionTicketKeys>*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ring_index()));
  if (holder == nullptr || !*holder) return seal ? -1 : 0;
  // A resumed TLS 1.2 session has no fresh key exchange: whoever stole the ticket keys could
  // read it. TLS 1.2 clients get an empty ticket and always make full handshakes.
  if (SSL_version(ssl) < TLS1_3_VERSION) return 0;
  SessionTicketKeys& ring = **holder;
  if (seal) {
    auto key = ring.encryption_key();
    const int iv_length = EVP_CIPHER_get_iv_length(EVP_aes_256_cbc());
    if (RAND_bytes(iv, iv_length) != 1) return -1;
    std::memcpy(key_name, key.name.data(), key.name.size());
    if (EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes_key.data(), iv) != 1 ||
        !set_mac_key(mac, key)) {
      return -1;
    }
    return 1;
  }
  auto found = ring.decryption_key(key_name);
  if (!found) return 0;
  const auto& [key, current] = *found;
  if (!set_mac_key(mac, key) ||
      EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes_key.data(), iv) != 1) {
    return -1;
  }
  return current ? 1 : 2;
}

}  // namespace

Result<std::shared_ptr<SessionTicketKeys>> SessionTicketKeys::open(
    const std::filesystem::path& file, const Clock& clock, std::string* replaced_reason) {
  std::shared_ptr<SessionTicketKeys> ring(new SessionTicketKeys(file, clock));
  std::error_code ec;
  bool changed = true;
  if (std::filesystem::exists(file, ec)) {
    auto keys = readable_only_by_owner(file).and_then(
        [&]() { return read_file(file, kMaxFileBytes).and_then(parse_ring); });
    if (keys) {
      ring->keys_ = std::move(*keys);
      changed = false;
    } else if (replaced_reason != nullptr) {
      *replaced_reason = file.string() + ": " + keys.error().message;
    }
  }
  std::lock_guard lock(ring->mutex_);
  if (ring->rotate_locked(clock.now())) changed = true;
  if (changed) {
    if (auto saved = ring->save_locked(); !saved) return tl::unexpected(saved.error());
  }
  return ring;
}

bool SessionTicketKeys::rotate_locked(SystemTime now) {
  // Keys past their use go; a key from the future (the clock was set back) is not trusted
  // to be current either.
  bool changed = std::erase_if(keys_, [&](const Key& key) {
                   return key.created + kKeyUsefulFor < now || key.created > now + kRotation;
                 }) > 0;
  if (keys_.empty() || keys_.back().created + kRotation <= now) {
    keys_.push_back(new_key(now));
    changed = true;
  }
  while (keys_.size() > kMaxKeys) keys_.erase(keys_.begin());
  return changed;
}

Result<void> SessionTicketKeys::save_locked() const {
  Json keys = Json::array();
  for (const auto& key : keys_) {
    keys.push_back({{"name", to_hex(key.name)},
                    {"hmac_key", to_hex(key.hmac_key)},
                    {"aes_key", to_hex(key.aes_key)},
                    {"created_unix", unix_seconds(key.created)}});
  }
  Json doc = {{"comment", "TLS session ticket keys of this collector: secret, like pki/ca.key"},
              {"keys", keys}};
  if (auto r = write_file_atomic(file_, doc.dump(2) + "\n", 0600); !r) {
    return fail("writing session ticket keys " + file_.string(), r.error());
  }
  return {};
}

void SessionTicketKeys::install(SSL_CTX* ctx) {
  auto* holder = new std::shared_ptr<SessionTicketKeys>(shared_from_this());
  SSL_CTX_set_ex_data(ctx, ring_index(), holder);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, seal_or_open_ticket);
  SSL_CTX_set_timeout(ctx, static_cast<long>(std::chrono::seconds(kTicketLifetime).count()));
  SSL_CTX_set_num_tickets(ctx, 1);
  // No server-side cache: the ticket carries the session, so any restart (with this file) or
  // any I/O thread opens it.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

SessionTicketKeys::Key SessionTicketKeys::encryption_key() {
  std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  if (keys_.empty() || keys_.back().created + kRotation <= now) {
    rotate_locked(now);
    if (auto saved = save_locked(); !saved) {
      logs::transport().error("TLS session tickets: {} (the new key serves from memory)",
                              saved.error().message);
    }
  }
  return keys_.back();
}

std::optional<std::pair<SessionTicketKeys::Key, bool>> SessionTicketKeys::decryption_key(
    const unsigned char* name) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    const auto& key = keys_[i];
    if (CRYPTO_memcmp(key.name.data(), name, key.name.size()) != 0) continue;
    if (key.created + kKeyUsefulFor < now) return std::nullopt;
    return std::make_pair(key, i + 1 == keys_.size());
  }
  return std::nullopt;
}

std::size_t SessionTicketKeys::size() const {
  std::lock_guard lock(mutex_);
  return keys_.size();
}

}  // namespace triage::transport
