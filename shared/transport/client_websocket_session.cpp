#include "shared/transport/client_websocket_session.hpp"

#include <openssl/x509v3.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "shared/transport/peer_tls.hpp"
#include "shared/transport/websocket_session_impl.hpp"
#include "shared/util/close_on_exec.hpp"

namespace triage::transport {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using websocket_session_detail::describe;

ClientWebSocketSession::ClientWebSocketSession(net::io_context& ioc, ssl::context& tls,
                                               WebSocketHandler& handler, WebSocketLimits limits)
    : WebSocketSession<TlsStream>(handler, PeerIdentity{}, std::move(limits), net::make_strand(ioc),
                                  tls) {}

void ClientWebSocketSession::run(std::string host, std::string port, std::string target) {
  host_ = std::move(host);
  target_ = std::move(target);
  resolver_ = std::make_unique<tcp::resolver>(ws_.get_executor());
  net::dispatch(ws_.get_executor(), [self = self(), port = std::move(port)] {
    self->resolver_->async_resolve(
        self->host_, port, beast::bind_front_handler(&ClientWebSocketSession::on_resolve, self));
  });
}

void ClientWebSocketSession::on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
  if (ec) return end("resolve " + host_ + ": " + ec.message());
  beast::get_lowest_layer(ws_).expires_after(limits_.handshake_timeout);
  beast::get_lowest_layer(ws_).async_connect(
      results, beast::bind_front_handler(&ClientWebSocketSession::on_connect, self()));
}

void ClientWebSocketSession::on_connect(beast::error_code ec,
                                        tcp::resolver::results_type::endpoint_type endpoint) {
  if (ec) return end("connect to " + host_ + ": " + describe(ec));
  set_close_on_exec(beast::get_lowest_layer(ws_).socket().native_handle());
  beast::error_code nodelay_ec;
  beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), nodelay_ec);
  peer_.remote_address = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  SSL* ssl = ws_.next_layer().native_handle();
  beast::error_code addr_ec;
  net::ip::make_address(host_, addr_ec);
  if (addr_ec) {
    // A DNS name: send SNI and check it against the certificate's DNS names.
    SSL_set_tlsext_host_name(ssl, host_.c_str());
    SSL_set1_host(ssl, host_.c_str());
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host_.c_str());
  }
  beast::get_lowest_layer(ws_).expires_after(limits_.handshake_timeout);
  ws_.next_layer().async_handshake(
      ssl::stream_base::client,
      beast::bind_front_handler(&ClientWebSocketSession::on_tls_handshake, self()));
}

void ClientWebSocketSession::on_tls_handshake(beast::error_code ec) {
  if (ec) {
    long verify = SSL_get_verify_result(ws_.next_layer().native_handle());
    if (verify != X509_V_OK) {
      return end("TLS handshake: server certificate rejected: " +
                 std::string(X509_verify_cert_error_string(verify)));
    }
    return end("TLS handshake: " + describe(ec));
  }
  fill_peer_identity(ws_.next_layer().native_handle(), peer_);
  disarm_transport_timeout();
  apply_stream_options(beast::role_type::client);
  ws_.async_handshake(handshake_response_, host_, target_,
                      beast::bind_front_handler(&ClientWebSocketSession::on_ws_handshake, self()));
}

void ClientWebSocketSession::on_ws_handshake(beast::error_code ec) {
  if (ec == websocket::error::upgrade_declined) {
    return end("refused by server: HTTP " + std::to_string(handshake_response_.result_int()) + " " +
               handshake_response_.body().substr(0, 300));
  }
  if (ec) return end("WebSocket handshake: " + describe(ec));
  opened();
}

}  // namespace triage::transport
