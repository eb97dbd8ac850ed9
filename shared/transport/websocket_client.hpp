#pragma once
// Client side of the agent WebSocket: one connection attempt per call.

#include <functional>
#include <memory>
#include <string>

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "shared/transport/tls_session_slot.hpp"
#include "shared/transport/websocket_handler.hpp"
#include "shared/transport/websocket_limits.hpp"

namespace triage::transport {

struct WebSocketClientOptions {
  std::string host;
  std::string port = "8443";
  std::string target = "/agent/v1";
  WebSocketLimits limits;
  /// Called with the connection's SSL object before the handshake, e.g. to give each of many
  /// simulated devices its own certificate while sharing one context.
  std::function<void(SSL*)> configure_ssl;
  /// Resume the TLS session of this slot's ticket, and keep the next ticket there (null: a
  /// full handshake every time). One slot per client identity.
  std::shared_ptr<TlsSessionSlot> session_slot;
};

/// Starts connecting. Exactly one of these follows: handler.on_open() then, later,
/// handler.on_close(); or handler.on_close() alone with the failure reason. `handler` and
/// `tls` must outlive the connection.
std::shared_ptr<WebSocketConnection> connect_websocket(boost::asio::io_context& ioc,
                                                       boost::asio::ssl::context& tls,
                                                       WebSocketHandler& handler,
                                                       const WebSocketClientOptions& options);

}  // namespace triage::transport
