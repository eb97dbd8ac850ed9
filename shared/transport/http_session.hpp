#pragma once
// One HTTP/1.1 connection after its TLS handshake, over any stream Beast's HTTP reads (TLS over
// TCP in the product, beast::test::stream in unit tests): read a request within the header and
// body limits, let the application answer it, write the response, and go on while the
// connection is kept alive, within an idle deadline that requests do not re-arm for ever. An
// upgrade request goes to the application's decision, then with the stream to the WebSocket
// path. The accept, the admission gate and the TLS handshake stay in the server.
//
// The member definitions are in http_session_impl.hpp, instantiated for TlsStream in
// http_session.cpp; a test that uses another stream includes the impl and instantiates it.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include "shared/transport/http_session_limits.hpp"
#include "shared/transport/http_types.hpp"
#include "shared/transport/peer_identity.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/tls_stream.hpp"
#include "shared/transport/websocket_handler.hpp"

namespace triage::transport {

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  /// Takes an upgrade the application accepted: the connection's stream, the request that
  /// asked for it (the WebSocket handshake answers it) and the application's handler. Called
  /// once, on the stream's executor; the HTTP session does nothing with the stream after it.
  using Upgrade = std::function<void(Stream&& stream, HttpRequest request,
                                     std::unique_ptr<WebSocketHandler> handler)>;

  /// `stream` is connected (and past its TLS handshake); `app` must outlive the session.
  HttpSession(Stream&& stream, ServerApplication& app, PeerIdentity peer, HttpSessionLimits limits,
              Upgrade upgrade);

  /// Starts reading requests, on the stream's executor.
  void run();
  /// Ends the connection (revocation of its peer) unless it became a WebSocket. From any
  /// thread; a no-op once the connection ended.
  void close();

 private:
  std::shared_ptr<HttpSession> self() { return this->shared_from_this(); }
  void on_run();
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle(HttpRequest request);
  void upgrade(HttpRequest request);
  void on_upgrade_decided(UpgradeDecision decision);
  void write(HttpResponse response);
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void do_drain();
  void read_to_drain();
  void on_drain(boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  void on_shutdown(boost::beast::error_code ec);
  /// Closes the transport at once; the connection is over.
  void end();
  /// The connection is closed if it is still in this step at `at`.
  void arm_deadline(std::chrono::steady_clock::time_point at);
  void on_deadline(boost::beast::error_code ec);
  /// An error the server answers itself, in the application's error shape; the connection
  /// closes after it.
  HttpResponse error(http::status status, unsigned version, std::string_view code,
                     std::string_view message) const;
  void fail(boost::beast::error_code ec, const char* what) const;

  Stream stream_;
  ServerApplication& app_;
  PeerIdentity peer_;
  HttpSessionLimits limits_;
  Upgrade upgrade_;
  // Everything below is used on the stream's executor only.
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<HttpRequest> upgrade_request_;  // awaiting the application's decision
  std::unique_ptr<HttpResponse> response_;
  boost::asio::steady_timer deadline_;
  bool first_request_ = true;
  std::size_t requests_ = 0;
  bool drain_before_close_ = false;
  std::vector<char> drain_buffer_;
  std::size_t drained_ = 0;
  bool upgraded_ = false;  // the stream went to the WebSocket path
  bool ended_ = false;     // the transport is closed
};

extern template class HttpSession<TlsStream>;

}  // namespace triage::transport
