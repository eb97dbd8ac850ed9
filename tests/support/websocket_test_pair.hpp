#pragma once
// A server-role WebSocket session over beast::test::stream and the peer at its other end, on
// one io_context the test runs: the transport's real session code, no sockets. The peer is a
// plain Beast WebSocket client whose frames and close the test reads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "shared/transport/server_websocket_session.hpp"

namespace triage::testing {

class WebSocketTestPair {
 public:
  using Session = transport::ServerWebSocketSession<boost::beast::test::stream>;

  /// Upgrades a connection to `handler` with `limits`. `server_write_size`: bytes the
  /// session's stream writes per operation (small values make a large frame take many
  /// turns of the event loop, as a slow peer would).
  explicit WebSocketTestPair(std::unique_ptr<transport::WebSocketHandler> handler,
                             transport::WebSocketLimits limits = {},
                             std::size_t server_write_size = 0);
  ~WebSocketTestPair();

  /// Runs the event loop until `done()` holds; false if it still does not after `timeout`.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// The peer sends one frame (binary unless `text`); frames go out in call order.
  void send(std::string frame, bool text = false);
  /// The peer closes with `code`.
  void close(std::uint16_t code);

  /// Frames the peer received, in order.
  const std::vector<std::string>& received() const { return received_; }
  /// The close the peer received (or its read error), once the connection ended for it.
  bool peer_closed() const { return close_code_.has_value(); }
  std::uint16_t close_code() const { return close_code_.value_or(0); }
  const std::string& close_reason() const { return close_reason_; }
  /// Bytes the session has written to the peer so far.
  std::size_t bytes_to_peer();

  /// The session under test (null until the upgrade began). Objects the handler uses must
  /// outlive the pair; threads that post to the session must stop before it goes.
  const std::shared_ptr<Session>& session() const { return session_; }
  boost::asio::io_context& io() { return ioc_; }

 private:
  void do_peer_read();
  void do_peer_write();

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::beast::test::stream server_stream_;
  boost::beast::websocket::stream<boost::beast::test::stream> peer_;
  boost::beast::flat_buffer server_buffer_;
  boost::beast::flat_buffer peer_buffer_;
  std::shared_ptr<Session> session_;
  std::vector<std::pair<std::string, bool>> outgoing_;
  bool writing_ = false;
  bool handshake_done_ = false;
  std::vector<std::string> received_;
  std::optional<std::uint16_t> close_code_;
  std::string close_reason_;
};

}  // namespace triage::testing
