#include "shared/transport/websocket_client.hpp"

namespace triage::transport {

std::shared_ptr<WebSocketConnection> connect_websocket(boost::asio::io_context& ioc,
                                                       boost::asio::ssl::context& tls,
                                                       WebSocketHandler& handler,
                                                       const WebSocketClientOptions& options) {
  auto session = std::make_shared<WebSocketSession>(ioc, tls, handler, options.limits);
  if (options.configure_ssl) options.configure_ssl(session->native_ssl());
  session->run_client(options.host, options.port, options.target);
  return session;
}

}  // namespace triage::transport
