// The WebSocket session templates instantiated once for the product's stream (TLS over TCP).
#include "shared/transport/websocket_session.hpp"

#include <boost/beast/websocket/ssl.hpp>

#include "shared/transport/server_websocket_session_impl.hpp"
#include "shared/transport/websocket_session_impl.hpp"

namespace triage::transport {

template class WebSocketSession<TlsStream>;
template class ServerWebSocketSession<TlsStream>;

std::shared_ptr<ServerWebSocketSession<TlsStream>> make_websocket_session(
    TlsStream&& stream, std::unique_ptr<WebSocketHandler> handler, const PeerIdentity& peer,
    const ServerOptions& options, std::shared_ptr<AdmissionGate> large_messages,
    std::shared_ptr<void> keep_alive, std::unique_ptr<AddressPlace> place,
    std::chrono::steady_clock::time_point handshake_done) {
  WebSocketLimits limits;
  if (options.authentication_timeout.count() > 0) {
    limits.authentication_deadline = handshake_done + options.authentication_timeout;
    limits.authentication_timeout = options.authentication_timeout;
  }
  limits.large_messages = std::move(large_messages);
  limits.small_message_bytes = options.small_message_bytes;
  limits.large_message_timeout = options.large_message_timeout;
  limits.on_refused = options.on_connection_refused;
  limits.handshake_timeout = options.handshake_timeout;
  limits.idle_timeout = options.websocket_idle_timeout;
  limits.max_message_bytes = options.max_websocket_message_bytes;
  limits.max_send_queue_bytes = options.max_send_queue_bytes;
  limits.send_queue_pause_bytes = options.max_send_queue_bytes / 2;
  return std::make_shared<ServerWebSocketSession<TlsStream>>(
      std::move(stream), std::move(handler), peer, std::move(limits), std::move(keep_alive),
      std::move(place));
}

}  // namespace triage::transport
