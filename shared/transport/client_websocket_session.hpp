#pragma once
// The client role of a WebSocket connection over TLS: resolve, TCP connect, TLS handshake
// (SNI and a check of the server's name or address), then the upgrade.

#include <memory>
#include <string>

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "shared/transport/tls_session_slot.hpp"
#include "shared/transport/websocket_session.hpp"

namespace triage::transport {

class ClientWebSocketSession final : public WebSocketSession<TlsStream> {
 public:
  /// A fresh stream on its own strand. `handler` and `tls` must outlive the session.
  ClientWebSocketSession(boost::asio::io_context& ioc, boost::asio::ssl::context& tls,
                         WebSocketHandler& handler, WebSocketLimits limits);

  /// Resolve, TCP connect, TLS handshake (SNI + hostname check), upgrade.
  void run(std::string host, std::string port, std::string target);

  /// The TLS object of this connection (to adjust it before run()).
  SSL* native_ssl() { return ws_.next_layer().native_handle(); }

  /// Offers `slot`'s ticket to resume a session and stores the ticket this connection
  /// receives there (before run()).
  void resume_from(std::shared_ptr<TlsSessionSlot> slot) {
    session_slot_ = std::move(slot);
    session_slot_->attach(native_ssl());
  }

 private:
  std::shared_ptr<ClientWebSocketSession> self() {
    return std::static_pointer_cast<ClientWebSocketSession>(shared_from_this());
  }
  void on_resolve(boost::beast::error_code ec,
                  boost::asio::ip::tcp::resolver::results_type results);
  void on_connect(boost::beast::error_code ec,
                  boost::asio::ip::tcp::resolver::results_type::endpoint_type endpoint);
  void on_tls_handshake(boost::beast::error_code ec);
  void on_ws_handshake(boost::beast::error_code ec);

  std::unique_ptr<boost::asio::ip::tcp::resolver> resolver_;
  std::string host_;
  std::string target_;
  boost::beast::websocket::response_type handshake_response_;
  std::shared_ptr<TlsSessionSlot> session_slot_;  ///< outlives the SSL object it is attached to
};

}  // namespace triage::transport
