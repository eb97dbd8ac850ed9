#pragma once
// One WebSocket connection over TLS, either role. One read and one write in flight, outgoing
// frames through a byte-bounded queue, Beast's own timeouts with keep-alive pings, and exactly
// one on_close() to the application whatever way the connection ends.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "shared/transport/address_limiter.hpp"
#include "shared/transport/admission_gate.hpp"
#include "shared/transport/http_types.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/websocket_handler.hpp"

namespace triage::transport {

struct WebSocketLimits {
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{120'000};
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  std::size_t max_send_queue_bytes = 16 * 1024 * 1024;
  /// Shared by the sessions of a server (null: no bound). A message that grows past
  /// `small_message_bytes` is read further only with a place at this gate, held until the
  /// message is complete; smaller messages (heartbeats, deltas) never wait. Bounds the memory
  /// of read buffers when thousands of agents send large messages at once.
  std::shared_ptr<AdmissionGate> large_messages;
  std::size_t small_message_bytes = 16 * 1024;
  /// A place is held at most this long for one message; then the connection is dropped.
  std::chrono::milliseconds large_message_timeout{60'000};
  /// Server role: the session must be authenticated() by this time, else it is closed with
  /// 1008 (and "authentication_timeout" told to `on_refused`). Default: no deadline.
  std::chrono::steady_clock::time_point authentication_deadline{};
  std::chrono::milliseconds authentication_timeout{0};  ///< for the close reason
  /// Told why a connection was dropped by these limits ("slow_message",
  /// "authentication_timeout"); for metrics.
  std::function<void(std::string_view reason)> on_refused;
};

class WebSocketSession final : public WebSocketConnection,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  using Stream =
      boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  ~WebSocketSession() override;

  /// Server role: takes over an HTTP session's TLS stream.
  /// `place`: the connection's place among its address's unauthenticated connections, given
  /// back at authenticated() (null: none).
  WebSocketSession(boost::beast::ssl_stream<boost::beast::tcp_stream>&& stream,
                   std::unique_ptr<WebSocketHandler> handler, PeerIdentity peer,
                   WebSocketLimits limits, std::shared_ptr<void> keep_alive,
                   std::unique_ptr<AddressPlace> place = nullptr);
  /// Client role: a fresh stream on its own strand.
  WebSocketSession(boost::asio::io_context& ioc, boost::asio::ssl::context& tls,
                   WebSocketHandler& handler, WebSocketLimits limits);

  /// Server role: completes the upgrade for `request`.
  void run_server(HttpRequest request);
  /// Client role: resolve, TCP connect, TLS handshake (SNI + hostname check), upgrade.
  void run_client(std::string host, std::string port, std::string target);

  /// The TLS object of this connection (client role: to adjust it before run_client()).
  SSL* native_ssl() { return ws_.next_layer().native_handle(); }

  bool send(std::string frame) override;
  void close(CloseCode code, std::string reason) override;
  const PeerIdentity& peer() const override { return peer_; }
  void pause_reading() override;
  void resume_reading() override;
  void pause_reading_for(std::chrono::milliseconds delay) override;
  void authenticated() override;

 private:
  void on_authentication_deadline(boost::beast::error_code ec);
  void on_server_run(HttpRequest request);
  void on_resolve(boost::beast::error_code ec,
                  boost::asio::ip::tcp::resolver::results_type results);
  void on_connect(boost::beast::error_code ec,
                  boost::asio::ip::tcp::resolver::results_type::endpoint_type endpoint);
  void on_tls_handshake(boost::beast::error_code ec);
  void on_ws_handshake(boost::beast::error_code ec);
  void on_accept(boost::beast::error_code ec);
  void opened();
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  /// Queues for a place at the large-message gate; reading resumes once granted.
  void wait_for_place();
  void on_place();
  void release_place();
  void on_send(std::string frame);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void on_close_request(CloseCode code, std::string reason);
  void do_close();
  void on_closed(boost::beast::error_code ec);
  void end(const std::string& reason);
  void apply_stream_options(boost::beast::role_type role);

  Stream ws_;
  boost::beast::flat_buffer buffer_;
  std::unique_ptr<WebSocketHandler> owned_handler_;
  WebSocketHandler* handler_;
  PeerIdentity peer_;
  WebSocketLimits limits_;
  std::shared_ptr<void> keep_alive_;

  // Client role only.
  std::unique_ptr<boost::asio::ip::tcp::resolver> resolver_;
  std::string host_;
  std::string target_;
  boost::beast::websocket::response_type handshake_response_;

  std::deque<std::string> queue_;  // strand only
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<bool> ended_{false};
  std::atomic<int> pauses_{0};
  bool read_pending_ = false;  // strand only
  bool opened_ = false;        // strand only
  bool closing_ = false;       // strand only
  bool close_after_flush_ = false;
  boost::beast::websocket::close_reason close_reason_;
  // The large-message gate (strand only): queued for a place, or holding one until the
  // message is complete or the timer fires.
  bool awaiting_place_ = false;
  bool holds_place_ = false;
  boost::asio::steady_timer place_timer_;
  // Server role, strand only: the deadline to be authenticated and the address place held
  // until then.
  bool authenticated_ = false;
  std::unique_ptr<AddressPlace> unauthenticated_place_;
  boost::asio::steady_timer authentication_timer_;
};

/// Builds a server-role session (used by the HTTP session on upgrade); `large_messages` is
/// the server's gate for large messages (null: no bound); `place` the connection's place
/// among its address's unauthenticated connections; `handshake_done` when its TLS handshake
/// completed (the authentication deadline counts from there).
std::shared_ptr<WebSocketSession> make_websocket_session(
    boost::beast::ssl_stream<boost::beast::tcp_stream>&& stream,
    std::unique_ptr<WebSocketHandler> handler, const PeerIdentity& peer,
    const ServerOptions& options, std::shared_ptr<AdmissionGate> large_messages,
    std::shared_ptr<void> keep_alive, std::unique_ptr<AddressPlace> place,
    std::chrono::steady_clock::time_point handshake_done);

}  // namespace triage::transport
