#include "shared/transport/websocket_client.hpp"

#include "shared/transport/client_websocket_session.hpp"

namespace triage::transport {

std::shared_ptr<WebSocketConnection> connect_websocket(boost::asio::io_context& ioc,
                                                       boost::asio::ssl::context& tls,
                                                       WebSocketHandler& handler,
                                                       const WebSocketClientOptions& options) {
  auto session = std::make_shared<ClientWebSocketSession>(ioc, tls, handler, options.limits);
  if (options.configure_ssl) options.configure_ssl(session->native_ssl());
  if (options.session_slot) session->resume_from(options.session_slot);
  session->run(options.host, options.port, options.target);
  return session;
}

}  // namespace triage::transport
