#pragma once
// One WebSocket connection, the part both roles share, over any stream Beast's WebSocket
// accepts (TLS over TCP in the product, beast::test::stream in unit tests). One read and one
// write in flight, outgoing frames through a byte-bounded queue whose backlog pauses reading,
// Beast's own timeouts with keep-alive pings, and exactly one on_close() to the application
// whatever way the connection ends. The roles (ServerWebSocketSession,
// ClientWebSocketSession) derive from it and open the connection.
//
// The member definitions are in websocket_session_impl.hpp, instantiated for TlsStream in
// websocket_session.cpp; a test that uses another stream includes the impl and instantiates it.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "shared/transport/peer_identity.hpp"
#include "shared/transport/tls_stream.hpp"
#include "shared/transport/websocket_handler.hpp"
#include "shared/transport/websocket_limits.hpp"

namespace triage::transport {

/// Shared by both roles; not used alone. `NextLayer` is the stream under the WebSocket.
/// Handlers run on the stream's executor (a strand per connection in the product).
template <class NextLayer>
class WebSocketSession : public WebSocketConnection,
                         public std::enable_shared_from_this<WebSocketSession<NextLayer>> {
 public:
  using Stream = boost::beast::websocket::stream<NextLayer>;

  ~WebSocketSession() override;

  bool send(std::string frame) override;
  void close(CloseCode code, std::string reason) override;
  const PeerIdentity& peer() const override { return peer_; }
  void pause_reading() override;
  void resume_reading() override;
  void pause_reading_for(std::chrono::milliseconds delay) override;

 protected:
  /// `handler` must outlive the session (a role that owns it keeps it in a member).
  template <class... StreamArgs>
  WebSocketSession(WebSocketHandler& handler, PeerIdentity peer, WebSocketLimits limits,
                   StreamArgs&&... stream_args);

  /// Timeouts, message limit, binary frames, no compression, the role's header.
  void apply_stream_options(boost::beast::role_type role);
  /// The upgrade is done: tells the application and starts reading.
  void opened();
  /// Starts a clean close (on the strand); before opened(), abandons the connection.
  void on_close_request(CloseCode code, std::string reason);
  /// Ends the connection once: closes the transport, tells the application.
  void end(const std::string& reason);
  /// A role's own clean-up at end() (timers it runs).
  virtual void on_end() {}
  /// Closes the transport under the WebSocket (TCP socket, or test stream).
  void close_transport();
  /// Turns off the transport's own timeout (the WebSocket has its own); a no-op for streams
  /// without one.
  void disarm_transport_timeout();

  Stream ws_;
  WebSocketHandler* handler_;
  PeerIdentity peer_;
  WebSocketLimits limits_;
  std::atomic<bool> ended_{false};
  bool opened_ = false;  // strand only

 private:
  std::shared_ptr<WebSocketSession> self() { return this->shared_from_this(); }
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  /// Starts the next read unless one is pending or reading is held (paused by the
  /// application, queued at the large-message gate, send queue backlogged, closing).
  void maybe_read();
  /// The send queue holds at least `send_queue_pause_bytes`: no new message is read.
  bool send_backlogged() const;
  /// Queues for a place at the large-message gate; reading resumes once granted.
  void wait_for_place();
  void on_place();
  void release_place();
  void on_send(std::string frame);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  void on_closed(boost::beast::error_code ec);

  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;  // strand only
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<int> pauses_{0};
  bool read_pending_ = false;  // strand only
  bool closing_ = false;       // strand only
  bool close_after_flush_ = false;
  boost::beast::websocket::close_reason close_reason_;
  // The large-message gate (strand only): queued for a place, or holding one until the
  // message is complete or the timer fires.
  bool awaiting_place_ = false;
  bool holds_place_ = false;
  boost::asio::steady_timer place_timer_;
};

template <class NextLayer>
template <class... StreamArgs>
WebSocketSession<NextLayer>::WebSocketSession(WebSocketHandler& handler, PeerIdentity peer,
                                              WebSocketLimits limits, StreamArgs&&... stream_args)
    : ws_(std::forward<StreamArgs>(stream_args)...),
      handler_(&handler),
      peer_(std::move(peer)),
      limits_(std::move(limits)),
      place_timer_(ws_.get_executor()) {}

extern template class WebSocketSession<TlsStream>;

}  // namespace triage::transport
