#include "shared/transport/websocket_session.hpp"

#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "shared/transport/peer_tls.hpp"
#include "shared/util/close_on_exec.hpp"

namespace triage::transport {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kReadChunkBytes = 64 * 1024;
// A read buffer larger than this is freed after its message: an idle connection keeps at
// most this much (a 55 KB snapshot once left 64 KiB behind on each of 10,000 connections).
constexpr std::size_t kIdleBufferBytes = 4 * 1024;

std::string describe(const beast::error_code& ec) {
  if (ec == websocket::error::message_too_big) return "message too big";
  if (ec == beast::error::timeout) return "timed out";
  return ec.message();
}

// Limits the text of a close reason to what a close frame may carry.
std::string clip_reason(std::string reason) {
  if (reason.size() > 120) reason.resize(120);
  return reason;
}

}  // namespace

WebSocketSession::WebSocketSession(beast::ssl_stream<beast::tcp_stream>&& stream,
                                   std::unique_ptr<WebSocketHandler> handler, PeerIdentity peer,
                                   WebSocketLimits limits, std::shared_ptr<void> keep_alive,
                                   std::unique_ptr<AddressPlace> place)
    : ws_(std::move(stream)),
      owned_handler_(std::move(handler)),
      handler_(owned_handler_.get()),
      peer_(std::move(peer)),
      limits_(limits),
      keep_alive_(std::move(keep_alive)),
      place_timer_(ws_.get_executor()),
      unauthenticated_place_(std::move(place)),
      authentication_timer_(ws_.get_executor()) {}

WebSocketSession::WebSocketSession(net::io_context& ioc, ssl::context& tls,
                                   WebSocketHandler& handler, WebSocketLimits limits)
    : ws_(net::make_strand(ioc), tls),
      handler_(&handler),
      limits_(limits),
      place_timer_(ws_.get_executor()),
      authentication_timer_(ws_.get_executor()) {}

WebSocketSession::~WebSocketSession() {
  if (holds_place_) limits_.large_messages->release();
}

void WebSocketSession::apply_stream_options(beast::role_type role) {
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = limits_.handshake_timeout;
  timeout.idle_timeout = limits_.idle_timeout;
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  // on_read enforces the exact limit; this is Beast's backstop one chunk beyond it.
  ws_.read_message_max(limits_.max_message_bytes + kReadChunkBytes);
  ws_.binary(true);
  // Small frames dominate; per-message deflate would cost memory per connection.
  websocket::permessage_deflate pmd;
  pmd.client_enable = false;
  pmd.server_enable = false;
  ws_.set_option(pmd);
  if (role == beast::role_type::server) {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "triage-collector"); }));
  } else {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(http::field::user_agent, "triage-agent"); }));
  }
}

// ---- server role ---------------------------------------------------------------------------

void WebSocketSession::run_server(HttpRequest request) {
  net::dispatch(ws_.get_executor(),
                beast::bind_front_handler(&WebSocketSession::on_server_run, shared_from_this(),
                                          std::move(request)));
}

void WebSocketSession::on_server_run(HttpRequest request) {
  // The WebSocket stream has its own timeout system; turn off the tcp_stream's.
  beast::get_lowest_layer(ws_).expires_never();
  apply_stream_options(beast::role_type::server);
  if (limits_.authentication_deadline != std::chrono::steady_clock::time_point{}) {
    // Pings keep a silent peer alive for ever; this deadline does not move.
    authentication_timer_.expires_at(limits_.authentication_deadline);
    authentication_timer_.async_wait(beast::bind_front_handler(
        &WebSocketSession::on_authentication_deadline, shared_from_this()));
  }
  ws_.async_accept(request,
                   beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) return end("upgrade failed: " + describe(ec));
  opened();
}

// ---- client role ---------------------------------------------------------------------------

void WebSocketSession::run_client(std::string host, std::string port, std::string target) {
  host_ = std::move(host);
  target_ = std::move(target);
  resolver_ = std::make_unique<tcp::resolver>(ws_.get_executor());
  net::dispatch(ws_.get_executor(), [self = shared_from_this(), port = std::move(port)] {
    self->resolver_->async_resolve(self->host_, port,
                                   beast::bind_front_handler(&WebSocketSession::on_resolve, self));
  });
}

void WebSocketSession::on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
  if (ec) return end("resolve " + host_ + ": " + ec.message());
  beast::get_lowest_layer(ws_).expires_after(limits_.handshake_timeout);
  beast::get_lowest_layer(ws_).async_connect(
      results, beast::bind_front_handler(&WebSocketSession::on_connect, shared_from_this()));
}

void WebSocketSession::on_connect(beast::error_code ec,
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
      beast::bind_front_handler(&WebSocketSession::on_tls_handshake, shared_from_this()));
}

void WebSocketSession::on_tls_handshake(beast::error_code ec) {
  if (ec) {
    long verify = SSL_get_verify_result(ws_.next_layer().native_handle());
    if (verify != X509_V_OK) {
      return end("TLS handshake: server certificate rejected: " +
                 std::string(X509_verify_cert_error_string(verify)));
    }
    return end("TLS handshake: " + describe(ec));
  }
  fill_peer_identity(ws_.next_layer().native_handle(), peer_);
  beast::get_lowest_layer(ws_).expires_never();
  apply_stream_options(beast::role_type::client);
  ws_.async_handshake(
      handshake_response_, host_, target_,
      beast::bind_front_handler(&WebSocketSession::on_ws_handshake, shared_from_this()));
}

void WebSocketSession::on_ws_handshake(beast::error_code ec) {
  if (ec == websocket::error::upgrade_declined) {
    return end("refused by server: HTTP " + std::to_string(handshake_response_.result_int()) + " " +
               handshake_response_.body().substr(0, 300));
  }
  if (ec) return end("WebSocket handshake: " + describe(ec));
  opened();
}

// ---- both roles ----------------------------------------------------------------------------

void WebSocketSession::opened() {
  opened_ = true;
  try {
    handler_->on_open(shared_from_this());
  } catch (const std::exception& e) {
    spdlog::error("WebSocket open handler threw: {}", e.what());
    return on_close_request(CloseCode::kInternalError, "internal error");
  }
  do_read();
}

void WebSocketSession::pause_reading() { ++pauses_; }

void WebSocketSession::resume_reading() {
  if (--pauses_ > 0) return;
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->opened_ && !self->read_pending_ && !self->ended_ && !self->closing_ &&
        self->pauses_.load() <= 0) {
      self->do_read();
    }
  });
}

void WebSocketSession::pause_reading_for(std::chrono::milliseconds delay) {
  pause_reading();
  auto timer = std::make_shared<net::steady_timer>(ws_.get_executor(), delay);
  timer->async_wait(
      [self = shared_from_this(), timer](const beast::error_code&) { self->resume_reading(); });
}

void WebSocketSession::authenticated() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    self->authenticated_ = true;
    self->authentication_timer_.cancel();
    if (self->unauthenticated_place_) self->unauthenticated_place_->release();
  });
}

void WebSocketSession::on_authentication_deadline(beast::error_code ec) {
  if (ec || authenticated_ || ended_) return;
  if (limits_.on_refused) limits_.on_refused("authentication_timeout");
  const auto reason = "no hello within " +
                      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         limits_.authentication_timeout)
                                         .count()) +
                      " ms of the TLS handshake";
  spdlog::warn("WebSocket from {}: {}; closing", peer_.remote_address, reason);
  if (!opened_) return end(reason);  // still upgrading: nothing to close cleanly
  on_close_request(CloseCode::kPolicyViolation, reason);
}

void WebSocketSession::do_read() {
  // Paused, or queued at the large-message gate: reading starts again from there.
  if (pauses_.load() > 0 || awaiting_place_) return;
  read_pending_ = true;
  // Read in pieces and enforce the message limit here, so an oversized message gets our own
  // clean 1009 close (and a log line saying so) instead of a torn-down stream. Without a
  // place at the large-message gate, a message is read only up to the small-message size.
  std::size_t chunk = kReadChunkBytes;
  if (limits_.large_messages && !holds_place_) {
    chunk = limits_.small_message_bytes > buffer_.size()
                ? limits_.small_message_bytes - buffer_.size()
                : 1;
  }
  ws_.async_read_some(buffer_, chunk,
                      beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::wait_for_place() {
  awaiting_place_ = true;
  // The queue holds the session: with no read pending, nothing else keeps it alive. One that
  // ended meanwhile declines the place, which goes to the next one.
  limits_.large_messages->acquire([self = shared_from_this()] {
    if (self->ended_) return false;
    net::post(self->ws_.get_executor(), [self] { self->on_place(); });
    return true;
  });
}

void WebSocketSession::on_place() {
  awaiting_place_ = false;
  holds_place_ = true;
  if (ended_) return release_place();
  place_timer_.expires_after(limits_.large_message_timeout);
  place_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || !self->holds_place_) return;
    // Holding back everyone queued behind it: a peer this slow (or stalled) is dropped.
    self->release_place();
    if (self->limits_.on_refused) self->limits_.on_refused("slow_message");
    spdlog::warn(
        "WebSocket from {}: message not complete {} s after its read began; dropped",
        self->peer_.remote_address,
        std::chrono::duration_cast<std::chrono::seconds>(self->limits_.large_message_timeout)
            .count());
    self->end("message too slow");
  });
  do_read();
}

void WebSocketSession::release_place() {
  if (!holds_place_) return;
  holds_place_ = false;
  place_timer_.cancel();
  limits_.large_messages->release();
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
  read_pending_ = false;
  if (ec) {
    // After our own close frame went out, on_closed reports the ending.
    if (closing_ && is_quiet_error(ec)) return;
    if (ec == websocket::error::closed) {
      auto reason = ws_.reason();
      return end("closed by peer (" + std::to_string(reason.code) + " " +
                 std::string(reason.reason.c_str()) + ")");
    }
    return end(describe(ec));
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
    spdlog::error("WebSocket message handler threw: {}", e.what());
    buffer_.consume(buffer_.size());
    return on_close_request(CloseCode::kInternalError, "internal error");
  }
  buffer_.consume(buffer_.size());
  // A large message (a full snapshot) must not pin its buffer for the connection's lifetime.
  if (buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
  if (!ended_) do_read();
}

bool WebSocketSession::send(std::string frame) {
  if (ended_.load()) return false;
  const std::size_t size = frame.size();
  if (queued_bytes_.fetch_add(size) + size > limits_.max_send_queue_bytes) {
    queued_bytes_.fetch_sub(size);
    return false;
  }
  net::post(ws_.get_executor(), beast::bind_front_handler(&WebSocketSession::on_send,
                                                          shared_from_this(), std::move(frame)));
  return true;
}

void WebSocketSession::on_send(std::string frame) {
  if (ended_ || closing_ || !opened_) {
    queued_bytes_.fetch_sub(frame.size());
    return;
  }
  queue_.push_back(std::move(frame));
  if (queue_.size() == 1) do_write();
}

void WebSocketSession::do_write() {
  ws_.async_write(net::buffer(queue_.front()),
                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
  queued_bytes_.fetch_sub(queue_.front().size());
  queue_.pop_front();
  if (ec) return end("write: " + describe(ec));
  if (!queue_.empty()) return do_write();
  if (close_after_flush_) do_close();
}

void WebSocketSession::close(CloseCode code, std::string reason) {
  net::post(ws_.get_executor(),
            beast::bind_front_handler(&WebSocketSession::on_close_request, shared_from_this(), code,
                                      clip_reason(std::move(reason))));
}

void WebSocketSession::on_close_request(CloseCode code, std::string reason) {
  if (ended_ || closing_) return;
  if (!opened_) {
    // Not connected yet (client still connecting): abandon the attempt.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    return;
  }
  closing_ = true;
  release_place();  // nothing more is read for a closing connection
  close_reason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
  // Frames already queued (e.g. a refusal) go out before the close frame.
  if (queue_.empty()) {
    do_close();
  } else {
    close_after_flush_ = true;
  }
}

void WebSocketSession::do_close() {
  close_after_flush_ = false;
  ws_.async_close(close_reason_,
                  beast::bind_front_handler(&WebSocketSession::on_closed, shared_from_this()));
}

void WebSocketSession::on_closed(beast::error_code ec) {
  if (ec && !is_quiet_error(ec)) return end("close: " + describe(ec));
  end("closed locally (" + std::to_string(close_reason_.code) + " " +
      std::string(close_reason_.reason.c_str()) + ")");
}

void WebSocketSession::end(const std::string& reason) {
  if (ended_.exchange(true)) return;
  release_place();
  authentication_timer_.cancel();
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  try {
    handler_->on_close(reason);
  } catch (const std::exception& e) {
    spdlog::error("WebSocket close handler threw: {}", e.what());
  }
}

std::shared_ptr<WebSocketSession> make_websocket_session(
    beast::ssl_stream<beast::tcp_stream>&& stream, std::unique_ptr<WebSocketHandler> handler,
    const PeerIdentity& peer, const ServerOptions& options,
    std::shared_ptr<AdmissionGate> large_messages, std::shared_ptr<void> keep_alive,
    std::unique_ptr<AddressPlace> place, std::chrono::steady_clock::time_point handshake_done) {
  WebSocketLimits limits;
  if (options.authentication_timeout.count() > 0) {
    limits.authentication_deadline = handshake_done + options.authentication_timeout;
    limits.authentication_timeout = options.authentication_timeout;
  }
  limits.large_messages = std::move(large_messages);
  limits.small_message_bytes = options.small_message_bytes;
  limits.large_message_timeout = options.large_message_timeout;
  limits.on_refused = options.on_connection_refused;
  limits.handshake_timeout = options.handshake_timeout;
  limits.idle_timeout = options.websocket_idle_timeout;
  limits.max_message_bytes = options.max_websocket_message_bytes;
  limits.max_send_queue_bytes = options.max_send_queue_bytes;
  return std::make_shared<WebSocketSession>(std::move(stream), std::move(handler), peer, limits,
                                            std::move(keep_alive), std::move(place));
}

}  // namespace triage::transport
