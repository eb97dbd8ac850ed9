#include "shared/transport/tls_session_slot.hpp"

#include <ctime>
#include <utility>

namespace triage::transport {
namespace {

int slot_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

TlsSessionSlot::~TlsSessionSlot() { SSL_SESSION_free(session_); }

void TlsSessionSlot::attach(SSL* ssl) {
  SSL_set_ex_data(ssl, slot_index(), this);
  std::lock_guard lock(mutex_);
  if (session_ == nullptr) return;
  // An expired ticket would only be refused by the server: send a plain ClientHello instead.
  if (SSL_SESSION_is_resumable(session_) != 1 ||
      SSL_SESSION_get_time(session_) + SSL_SESSION_get_timeout(session_) <= std::time(nullptr)) {
    SSL_SESSION_free(std::exchange(session_, nullptr));
    return;
  }
  // A copy again: a resumed connection's session is the one it was offered, and it is marked
  // not resumable if that connection is cut; the stored ticket must outlive such an end.
  if (SSL_SESSION* offered = SSL_SESSION_dup(session_)) {
    SSL_set_session(ssl, offered);  // takes its own reference
    SSL_SESSION_free(offered);
  }
}

void TlsSessionSlot::clear() {
  std::lock_guard lock(mutex_);
  SSL_SESSION_free(std::exchange(session_, nullptr));
}

bool TlsSessionSlot::holds_ticket() const {
  std::lock_guard lock(mutex_);
  return session_ != nullptr;
}

void TlsSessionSlot::store(SSL_SESSION* session) {
  std::lock_guard lock(mutex_);
  SSL_SESSION_free(std::exchange(session_, session));
}

void TlsSessionSlot::enable_ticket_capture(SSL_CTX* ctx) {
  // OpenSSL's own client cache is keyed by nothing useful here (one context serves many
  // simulated identities in the load generator): tickets go to the connection's slot.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, [](SSL* ssl, SSL_SESSION* session) -> int {
    auto* slot = static_cast<TlsSessionSlot*>(SSL_get_ex_data(ssl, slot_index()));
    if (slot == nullptr) return 0;
    // A copy: `session` is also the connection's own, and OpenSSL marks that one not
    // resumable when the connection ends without a close_notify, which is exactly how
    // connections end when the collector is killed, the case resumption is for.
    if (SSL_SESSION* copy = SSL_SESSION_dup(session)) slot->store(copy);
    return 0;  // OpenSSL keeps its reference
  });
}

}  // namespace triage::transport
