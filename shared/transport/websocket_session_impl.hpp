#pragma once
// Member definitions of WebSocketSession<NextLayer>: include only where the template is
// instantiated (websocket_session.cpp for TlsStream; tests for beast::test::stream).

#include <string_view>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket.hpp>

#include "shared/transport/http_types.hpp"
#include "shared/transport/peer_tls.hpp"
#include "shared/transport/stream_layers.hpp"
#include "shared/transport/websocket_session.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::transport {

namespace websocket_session_detail {

inline constexpr std::size_t kReadChunkBytes = 64 * 1024;
// A read buffer larger than this is freed after its message: an idle connection keeps at
// most this much (a 55 KB snapshot once left 64 KiB behind on each of 10,000 connections).
inline constexpr std::size_t kIdleBufferBytes = 4 * 1024;

inline std::string describe(const boost::beast::error_code& ec) {
  if (ec == boost::beast::websocket::error::message_too_big) return "message too big";
  if (ec == boost::beast::error::timeout) return "timed out";
  return ec.message();
}

}  // namespace websocket_session_detail

template <class NextLayer>
WebSocketSession<NextLayer>::~WebSocketSession() {
  if (holds_place_) limits_.large_messages->release();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::close_transport() {
  close_lowest_layer(ws_);
}

template <class NextLayer>
void WebSocketSession<NextLayer>::disarm_transport_timeout() {
  disarm_lowest_timeout(ws_);
}

template <class NextLayer>
void WebSocketSession<NextLayer>::apply_stream_options(boost::beast::role_type role) {
  namespace websocket = boost::beast::websocket;
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = limits_.handshake_timeout;
  timeout.idle_timeout = limits_.idle_timeout;
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  // on_read enforces the exact limit; this is Beast's backstop one chunk beyond it.
  ws_.read_message_max(limits_.max_message_bytes + websocket_session_detail::kReadChunkBytes);
  ws_.binary(true);
  // Small frames dominate; per-message deflate would cost memory per connection.
  websocket::permessage_deflate pmd;
  pmd.client_enable = false;
  pmd.server_enable = false;
  ws_.set_option(pmd);
  if (role == boost::beast::role_type::server) {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "triage-collector"); }));
  } else {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(http::field::user_agent, "triage-agent"); }));
  }
}

template <class NextLayer>
void WebSocketSession<NextLayer>::opened() {
  opened_ = true;
  try {
    handler_->on_open(self());
  } catch (const std::exception& e) {
    logs::transport().error("WebSocket open handler threw: {}", e.what());
    return on_close_request(CloseCode::kInternalError, "internal error");
  }
  do_read();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::pause_reading() {
  ++pauses_;
}

template <class NextLayer>
void WebSocketSession<NextLayer>::resume_reading() {
  if (--pauses_ > 0) return;
  boost::asio::post(ws_.get_executor(), [self = self()] { self->maybe_read(); });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::pause_reading_for(std::chrono::milliseconds delay) {
  pause_reading();
  auto timer = std::make_shared<boost::asio::steady_timer>(ws_.get_executor(), delay);
  timer->async_wait(
      [self = self(), timer](const boost::beast::error_code&) { self->resume_reading(); });
}

template <class NextLayer>
bool WebSocketSession<NextLayer>::send_backlogged() const {
  return queued_bytes_.load() >= limits_.send_queue_pause_bytes;
}

template <class NextLayer>
void WebSocketSession<NextLayer>::maybe_read() {
  if (opened_ && !read_pending_ && !ended_ && !closing_) do_read();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::do_read() {
  // Paused, or queued at the large-message gate: reading starts again from there. A backlog
  // of frames to send holds the next message (not the rest of the current one, which may
  // hold a place at the large-message gate): on_write reads on once it has drained.
  if (pauses_.load() > 0 || awaiting_place_) return;
  if (buffer_.size() == 0 && send_backlogged()) return;
  read_pending_ = true;
  // Read in pieces and enforce the message limit here, so an oversized message gets our own
  // clean 1009 close (and a log line saying so) instead of a torn-down stream. Without a
  // place at the large-message gate, a message is read only up to the small-message size.
  std::size_t chunk = websocket_session_detail::kReadChunkBytes;
  if (limits_.large_messages && !holds_place_) {
    chunk = limits_.small_message_bytes > buffer_.size()
                ? limits_.small_message_bytes - buffer_.size()
                : 1;
  }
  ws_.async_read_some(buffer_, chunk,
                      boost::beast::bind_front_handler(&WebSocketSession::on_read, self()));
}

template <class NextLayer>
void WebSocketSession<NextLayer>::wait_for_place() {
  awaiting_place_ = true;
  // The queue holds the session: with no read pending, nothing else keeps it alive. One that
  // ended meanwhile declines the place, which goes to the next one.
  limits_.large_messages->acquire([self = self()] {
    if (self->ended_) return false;
    boost::asio::post(self->ws_.get_executor(), [self] { self->on_place(); });
    return true;
  });
}

template <class NextLayer>
void WebSocketSession<NextLayer>::on_place() {
  awaiting_place_ = false;
  holds_place_ = true;
  if (ended_) return release_place();
  place_timer_.expires_after(limits_.large_message_timeout);
  place_timer_.async_wait([self = self()](boost::beast::error_code ec) {
    if (ec || !self->holds_place_) return;
    // Holding back everyone queued behind it: a peer this slow (or stalled) is dropped.
    self->release_place();
    if (self->limits_.on_refused) self->limits_.on_refused("slow_message");
    logs::transport().warn(
        "WebSocket from {}: message not complete {} s after its read began; dropped",
        self->peer_.remote_address,
        std::chrono::duration_cast<std::chrono::seconds>(self->limits_.large_message_timeout)
            .count());
    self->end("message too slow");
  });
  do_read();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::release_place() {
  if (!holds_place_) return;
  holds_place_ = false;
  place_timer_.cancel();
  limits_.large_messages->release();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::on_read(boost::beast::error_code ec, std::size_t) {
  namespace websocket = boost::beast::websocket;
  read_pending_ = false;
  if (ec) {
    // After our own close frame went out, on_closed reports the ending.
    if (closing_ && is_quiet_error(ec)) return;
    if (ec == websocket::error::closed) {
      auto reason = ws_.reason();
      return end("closed by peer (" + std::to_string(reason.code) + " " +
                 std::string(reason.reason.c_str()) + ")");
    }
    return end(websocket_session_detail::describe(ec));
  }
  if (buffer_.size() > limits_.max_message_bytes) {
    buffer_.consume(buffer_.size());
    return on_close_request(CloseCode::kTooBig, "message too big");
  }
  if (!ws_.is_message_done()) {
    if (limits_.large_messages && !holds_place_ && buffer_.size() >= limits_.small_message_bytes) {
      return wait_for_place();
    }
    return do_read();
  }
  release_place();
  if (!ws_.got_binary()) {
    buffer_.consume(buffer_.size());
    return on_close_request(CloseCode::kPolicyViolation, "binary frames only");
  }
  auto data = buffer_.cdata();
  try {
    handler_->on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
  } catch (const std::exception& e) {
    logs::transport().error("WebSocket message handler threw: {}", e.what());
    buffer_.consume(buffer_.size());
    return on_close_request(CloseCode::kInternalError, "internal error");
  }
  buffer_.consume(buffer_.size());
  // A large message (a full snapshot) must not pin its buffer for the connection's lifetime.
  if (buffer_.capacity() > websocket_session_detail::kIdleBufferBytes) buffer_.shrink_to_fit();
  if (!ended_) do_read();
}

template <class NextLayer>
bool WebSocketSession<NextLayer>::send(std::string frame) {
  if (ended_.load()) return false;
  const std::size_t size = frame.size();
  if (queued_bytes_.fetch_add(size) + size > limits_.max_send_queue_bytes) {
    queued_bytes_.fetch_sub(size);
    return false;
  }
  boost::asio::post(ws_.get_executor(), boost::beast::bind_front_handler(&WebSocketSession::on_send,
                                                                         self(), std::move(frame)));
  return true;
}

template <class NextLayer>
void WebSocketSession<NextLayer>::on_send(std::string frame) {
  if (ended_ || closing_ || !opened_) {
    queued_bytes_.fetch_sub(frame.size());
    return;
  }
  queue_.push_back(std::move(frame));
  if (queue_.size() == 1) do_write();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::do_write() {
  ws_.async_write(boost::asio::buffer(queue_.front()),
                  boost::beast::bind_front_handler(&WebSocketSession::on_write, self()));
}

template <class NextLayer>
void WebSocketSession<NextLayer>::on_write(boost::beast::error_code ec, std::size_t) {
  queued_bytes_.fetch_sub(queue_.front().size());
  queue_.pop_front();
  if (ec) return end("write: " + websocket_session_detail::describe(ec));
  // The peer took a frame: if that ended a backlog, the next message may be read.
  if (!send_backlogged()) maybe_read();
  if (!queue_.empty()) return do_write();
  if (close_after_flush_) do_close();
}

template <class NextLayer>
void WebSocketSession<NextLayer>::close(CloseCode code, std::string reason) {
  if (reason.size() > 120) reason.resize(120);  // what a close frame may carry
  boost::asio::post(ws_.get_executor(),
                    boost::beast::bind_front_handler(&WebSocketSession::on_close_request, self(),
                                                     code, std::move(reason)));
}

template <class NextLayer>
void WebSocketSession<NextLayer>::on_close_request(CloseCode code, std::string reason) {
  if (ended_ || closing_) return;
  if (!opened_) {
    // Not connected yet (client still connecting): abandon the attempt.
    close_transport();
    return;
  }
  closing_ = true;
  release_place();  // nothing more is read for a closing connection
  close_reason_ = boost::beast::websocket::close_reason(
      static_cast<boost::beast::websocket::close_code>(code), reason);
  // Frames already queued (e.g. a refusal) go out before the close frame.
  if (queue_.empty()) {
    do_close();
  } else {
    close_after_flush_ = true;
  }
}

template <class NextLayer>
void WebSocketSession<NextLayer>::do_close() {
  close_after_flush_ = false;
  ws_.async_close(close_reason_,
                  boost::beast::bind_front_handler(&WebSocketSession::on_closed, self()));
}

template <class NextLayer>
void WebSocketSession<NextLayer>::on_closed(boost::beast::error_code ec) {
  if (ec && !is_quiet_error(ec)) return end("close: " + websocket_session_detail::describe(ec));
  end("closed locally (" + std::to_string(close_reason_.code) + " " +
      std::string(close_reason_.reason.c_str()) + ")");
}

template <class NextLayer>
void WebSocketSession<NextLayer>::end(const std::string& reason) {
  if (ended_.exchange(true)) return;
  release_place();
  on_end();
  close_transport();
  try {
    handler_->on_close(reason);
  } catch (const std::exception& e) {
    logs::transport().error("WebSocket close handler threw: {}", e.what());
  }
}

}  // namespace triage::transport
