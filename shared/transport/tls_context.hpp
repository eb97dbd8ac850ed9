#pragma once
// TLS contexts for both sides: TLS 1.2 minimum, forward-secret AEAD ciphers only, peers
// verified against the collector's own CA, never the system trust store (except for the
// collector's own outbound calls to other systems, which use it on purpose).

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "shared/util/result.hpp"

namespace triage::transport {

class SessionTicketKeys;  // shared/transport/session_ticket_keys.hpp

using SslContextPtr = std::shared_ptr<boost::asio::ssl::context>;

struct ServerTlsConfig {
  std::string certificate_chain_pem;  ///< server certificate followed by the CA certificate
  std::string private_key_pem;
  /// CA that issues device certificates. Client certificates are requested, not required:
  /// the enrollment endpoint and the REST API serve peers without one, and the agent
  /// WebSocket refuses them at upgrade with a clear reason.
  std::string client_ca_pem;
  /// Issue TLS session tickets sealed with these keys and resume the sessions they carry
  /// (null: no tickets, every connection makes a full handshake).
  std::shared_ptr<SessionTicketKeys> session_tickets;
};

struct ClientTlsConfig {
  std::string ca_pem;           ///< the only trust anchor
  std::string certificate_pem;  ///< optional client (device) certificate
  std::string private_key_pem;  ///< key of certificate_pem
};

Result<SslContextPtr> make_server_tls_context(const ServerTlsConfig& config);

/// A server context for people (browsers, triagectl, integrations) on the staff listener: the
/// site's own certificate chain (leaf first; RSA or ECDSA) and its key, TLS 1.2 minimum with
/// forward-secret AEAD suites for both key types, no client certificate requested. Fails when
/// the key does not match the leaf.
Result<SslContextPtr> make_site_server_tls_context(const std::string& certificate_chain_pem,
                                                   const std::string& private_key_pem);
/// Connections made with it resume a session when given a TlsSessionSlot holding a ticket
/// (WebSocketClientOptions::session_slot); otherwise every handshake is a full one.
Result<SslContextPtr> make_client_tls_context(const ClientTlsConfig& config);

/// A client context for servers on the public web (outbound webhooks): the system trust
/// store plus `extra_ca_pem` (may be empty; one or more PEM certificates, for private CAs),
/// TLS 1.2 minimum with forward-secret AEAD suites for both ECDSA and RSA certificates.
Result<SslContextPtr> make_public_client_tls_context(const std::string& extra_ca_pem);

/// What a pinned handshake learned: the CA certificate whose SHA-256 matched the pin.
struct PinnedCa {
  std::string ca_pem;
};

/// A client context for enrollment, before the agent holds the CA: the server must present a
/// chain containing a CA certificate whose DER SHA-256 equals `ca_sha256_hex`, and the server
/// certificate must verify against that CA alone (hostname checks still apply). On success the
/// CA is stored into `*learned` (which must outlive the context's handshakes).
Result<SslContextPtr> make_pinned_client_tls_context(const std::string& ca_sha256_hex,
                                                     std::shared_ptr<PinnedCa> learned);

}  // namespace triage::transport
