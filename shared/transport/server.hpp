#pragma once
// The collector's one listening port: TLS, then HTTP/1.1 (REST, enrollment, console) or a
// WebSocket upgrade (agents). Shape of Beast's advanced_server_flex example: a listener, an
// HTTP session per connection, a WebSocket session after upgrade, each on its own strand and
// with a timeout on every operation.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "shared/transport/http_types.hpp"
#include "shared/transport/peer_identity.hpp"
#include "shared/transport/websocket_handler.hpp"
#include "shared/util/result.hpp"

namespace triage::transport {

class TlsContextSlot;

/// Completion for an HTTP request; may be called from any thread, exactly once.
using Respond = std::function<void(HttpResponse)>;

/// Either a handler for the new WebSocket, or the HTTP response that refuses the upgrade.
struct UpgradeDecision {
  std::unique_ptr<WebSocketHandler> handler;
  HttpResponse refusal;
};

/// Completion of an upgrade decision; may be called from any thread, exactly once.
using Decide = std::function<void(UpgradeDecision)>;

/// What the server serves. Called on connection strands, possibly concurrently for
/// different connections.
class ServerApplication {
 public:
  virtual ~ServerApplication() = default;
  virtual void handle_http(HttpRequest request, const PeerIdentity& peer, Respond respond) = 0;
  /// Decides whether `request` becomes a WebSocket: calls `decide` once, from any thread,
  /// with a handler or the refusal. Called on the connection's strand, so what may block (a
  /// database read) belongs on another thread; the connection reads nothing meanwhile and is
  /// closed if no decision comes within the HTTP timeout. `request` and `peer` live only for
  /// this call.
  virtual void accept_websocket(const HttpRequest& request, const PeerIdentity& peer,
                                Decide decide) = 0;
  /// Right after a TLS handshake that verified a client certificate, before any request:
  /// `close` ends this connection (callable from any thread, a no-op once it ended). The
  /// returned handle lives until the connection ends or becomes a WebSocket, so the
  /// application can close every socket of a device (revocation), not only its sessions.
  virtual std::shared_ptr<void> on_verified_peer(const PeerIdentity& /*peer*/,
                                                 std::function<void()> /*close*/) {
    return nullptr;
  }
  /// The response for an error the server answers itself, before or instead of the
  /// application (request too large, upgrade refused on this listener, a handler that
  /// threw): `code` is a stable word ("payload_too_large"), `message` a sentence. The
  /// application gives it its own error shape; the server sets the version and closes the
  /// connection after it. By default: the message as plain text.
  virtual HttpResponse error_response(http::status status, std::string_view code,
                                      std::string_view message) const;
};

struct ServerOptions {
  boost::asio::ip::tcp::endpoint endpoint{boost::asio::ip::make_address("127.0.0.1"), 8443};
  /// TCP accept to the end of the TLS handshake and the first request header.
  std::chrono::milliseconds handshake_timeout{10'000};
  /// Idle keep-alive HTTP connection, and time to read one request.
  std::chrono::milliseconds http_timeout{30'000};
  /// An HTTP connection serves at most this many requests and lives at most this long after
  /// its TLS handshake; the response that reaches either limit closes it, and an idle wait
  /// never runs past the lifetime. Requests do not re-arm a connection forever.
  std::size_t max_requests_per_connection = 100;
  std::chrono::milliseconds max_connection_lifetime{300'000};
  /// Connections from one source address (IPv6: one /64) that are not authenticated yet:
  /// from the accept until the application calls WebSocketConnection::authenticated() (an
  /// agent's hello); HTTP connections count for their whole, bounded, life. Beyond it, new
  /// connections from that address are closed at once ("per_address_limit"). 0: no bound.
  std::size_t max_unauthenticated_per_address = 0;
  /// Addresses never counted (a TCP load balancer through which every agent comes).
  std::vector<boost::asio::ip::address> per_address_exempt;
  /// A WebSocket must be authenticated within this time after its TLS handshake, else it is
  /// closed with 1008 ("authentication_timeout"): a session that never says hello holds
  /// nothing for long. 0: no deadline.
  std::chrono::milliseconds authentication_timeout{0};
  /// WebSocket: no frame nor pong for this long and the peer is dropped (pings at half).
  std::chrono::milliseconds websocket_idle_timeout{120'000};
  std::size_t max_http_body_bytes = 1 * 1024 * 1024;
  /// False on a listener for staff and integrations only: WebSocket upgrades (agents) are
  /// refused with 404, so agents cannot crowd this listener's handshake gate.
  bool accept_websockets = true;
  std::size_t max_websocket_message_bytes = 4 * 1024 * 1024;
  /// WebSocket messages larger than `small_message_bytes` read at once (0: no bound); the
  /// others wait in arrival order (see WebSocketLimits). A reading held longer than
  /// `large_message_timeout` drops its connection ("slow_message").
  std::size_t max_concurrent_large_messages = 0;
  std::size_t small_message_bytes = 16 * 1024;
  std::chrono::milliseconds large_message_timeout{60'000};
  /// Bytes queued for sending on one WebSocket before send() refuses more.
  std::size_t max_send_queue_bytes = 16 * 1024 * 1024;
  /// Concurrent connections; beyond this new connections are closed at once.
  std::size_t max_connections = 50'000;
  /// TLS handshakes running at once; more wait in arrival order, within `handshake_timeout`
  /// counted from the accept (0: no bound). A connection queues only once its first bytes
  /// (the ClientHello) have arrived, so silent connections cannot hold the places.
  std::size_t max_concurrent_handshakes = 0;
  /// Called (from I/O threads) after each completed TLS handshake, with whether it resumed a
  /// session from its ticket; for metrics.
  std::function<void(bool resumed)> on_tls_handshake;
  /// Called (from I/O threads) when a connection ends before its TLS handshake completed,
  /// with the reason: "tls_handshake_timeout" (the client was too slow, or the server too
  /// busy), "tls_handshake_queue_timeout" (still waiting for a place), "tls_handshake_failed",
  /// "client_certificate_rejected"; when its address holds all of its unauthenticated places
  /// ("per_address_limit"); when a WebSocket was not authenticated in time
  /// ("authentication_timeout"); or when accepting failed ("accept_failed", e.g. out of file
  /// descriptors). For metrics.
  std::function<void(std::string_view reason)> on_connection_refused;
  /// Running and queued TLS handshakes, after each change. For metrics.
  std::function<void(std::size_t running, std::size_t waiting)> on_handshake_gate;
};

class Server {
 public:
  /// Serves every connection with `tls`, which must outlive the server and its connections.
  Server(boost::asio::io_context& ioc, boost::asio::ssl::context& tls, ServerApplication& app,
         ServerOptions options);
  /// Serves each new connection with the context `tls` holds at its accept (see
  /// TlsContextSlot: a reload reaches new connections only).
  Server(boost::asio::io_context& ioc, std::shared_ptr<TlsContextSlot> tls, ServerApplication& app,
         ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts accepting. Fails with a clear message (e.g. address in use).
  Result<void> start();
  /// The bound port (useful with port 0).
  std::uint16_t port() const;
  /// Stops accepting; existing connections end when the io_context stops.
  void stop();
  /// Connections currently open (HTTP and WebSocket).
  std::size_t connection_count() const;
  /// WebSocket messages being read with a place at the large-message gate, and the
  /// connections queued for one (0, 0 without a bound).
  std::size_t large_messages_reading() const;
  std::size_t large_messages_waiting() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace triage::transport
