#pragma once
// The server role of a WebSocket connection: takes over an HTTP session's stream, completes
// the upgrade, and holds the connection to its authentication deadline and its place among
// its address's unauthenticated connections until the application accepts the peer.

#include <chrono>
#include <memory>

#include <boost/asio/steady_timer.hpp>

#include "shared/transport/address_limiter.hpp"
#include "shared/transport/http_types.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/websocket_session.hpp"

namespace triage::transport {

template <class NextLayer>
class ServerWebSocketSession final : public WebSocketSession<NextLayer> {
 public:
  /// `place`: the connection's place among its address's unauthenticated connections, given
  /// back at authenticated() (null: none). `keep_alive` lives as long as the session.
  ServerWebSocketSession(NextLayer&& stream, std::unique_ptr<WebSocketHandler> handler,
                         PeerIdentity peer, WebSocketLimits limits,
                         std::shared_ptr<void> keep_alive,
                         std::unique_ptr<AddressPlace> place = nullptr);

  /// Completes the upgrade for `request` (the HTTP request that asked for it).
  void run(HttpRequest request);
  void authenticated() override;

 private:
  std::shared_ptr<ServerWebSocketSession> self() {
    return std::static_pointer_cast<ServerWebSocketSession>(this->shared_from_this());
  }
  void on_run(HttpRequest request);
  void on_accept(boost::beast::error_code ec);
  void on_authentication_deadline(boost::beast::error_code ec);
  void on_end() override;

  std::unique_ptr<WebSocketHandler> owned_handler_;
  std::shared_ptr<void> keep_alive_;
  // Strand only: the deadline to be authenticated and the address place held until then.
  bool authenticated_ = false;
  std::unique_ptr<AddressPlace> unauthenticated_place_;
  boost::asio::steady_timer authentication_timer_;
};

extern template class ServerWebSocketSession<TlsStream>;

/// Builds a server-role session over TLS (used by the HTTP session on upgrade);
/// `large_messages` is the server's gate for large messages (null: no bound); `place` the
/// connection's place among its address's unauthenticated connections; `handshake_done` when
/// its TLS handshake completed (the authentication deadline counts from there).
std::shared_ptr<ServerWebSocketSession<TlsStream>> make_websocket_session(
    TlsStream&& stream, std::unique_ptr<WebSocketHandler> handler, const PeerIdentity& peer,
    const ServerOptions& options, std::shared_ptr<AdmissionGate> large_messages,
    std::shared_ptr<void> keep_alive, std::unique_ptr<AddressPlace> place,
    std::chrono::steady_clock::time_point handshake_done);

}  // namespace triage::transport
