#pragma once
// The client's side of TLS session resumption: the latest session ticket one endpoint (the
// agent, or one simulated agent) received from the collector, offered on its next connection.
//
// The collector sends a fresh ticket on every connection, which replaces the stored one; a
// ticket stays offered until then, so attempts that fail before the handshake (the collector
// still restarting, a full handshake queue) do not lose it. Tickets are kept in memory only:
// a restarted agent makes one full handshake. A slot belongs to one client identity: a ticket
// resumes the session of the certificate that made it.

#include <memory>
#include <mutex>

#include <openssl/ssl.h>

namespace triage::transport {

class TlsSessionSlot {
 public:
  TlsSessionSlot() = default;
  ~TlsSessionSlot();
  TlsSessionSlot(const TlsSessionSlot&) = delete;
  TlsSessionSlot& operator=(const TlsSessionSlot&) = delete;

  /// Before `ssl`'s handshake: offers the stored ticket (while it may still resume) and makes
  /// the tickets this connection receives land here. `ssl`'s context must have been prepared
  /// by enable_ticket_capture(); the slot must outlive `ssl`.
  void attach(SSL* ssl);
  /// Drops the stored ticket (e.g. after the identity changed).
  void clear();
  bool holds_ticket() const;

  /// Sets up a client context so that connections attached to a slot store the tickets the
  /// server sends (connections without a slot ignore them). Called by make_client_tls_context.
  static void enable_ticket_capture(SSL_CTX* ctx);

 private:
  void store(SSL_SESSION* session);  // takes ownership

  mutable std::mutex mutex_;
  SSL_SESSION* session_ = nullptr;
};

}  // namespace triage::transport
