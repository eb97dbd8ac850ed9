#include "shared/transport/server.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <utility>
#include <vector>

#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "shared/transport/address_limiter.hpp"
#include "shared/transport/admission_gate.hpp"
#include "shared/transport/peer_tls.hpp"
#include "shared/transport/server_websocket_session.hpp"
#include "shared/util/close_on_exec.hpp"

namespace triage::transport {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct Server::Shared : std::enable_shared_from_this<Server::Shared> {
  Shared(net::io_context& io, ssl::context& t, ServerApplication& a, ServerOptions o)
      : ioc(io),
        tls(t),
        app(a),
        options(std::move(o)),
        acceptor(net::make_strand(io)),
        accept_retry(acceptor.get_executor()),
        gate(options.max_concurrent_handshakes, options.on_handshake_gate),
        unauthenticated(std::make_shared<AddressLimiter>(options.max_unauthenticated_per_address,
                                                         options.per_address_exempt)),
        large_messages(
            options.max_concurrent_large_messages == 0
                ? nullptr
                : std::make_shared<AdmissionGate>(options.max_concurrent_large_messages)) {}

  net::io_context& ioc;
  ssl::context& tls;
  ServerApplication& app;
  ServerOptions options;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  AdmissionGate gate;
  std::shared_ptr<AddressLimiter> unauthenticated;
  /// Shared with the WebSocket sessions, which may outlive the server.
  std::shared_ptr<AdmissionGate> large_messages;
  std::atomic<std::size_t> connections{0};

  void refused(std::string_view reason) const {
    if (options.on_connection_refused) options.on_connection_refused(reason);
  }

  void do_accept() {
    acceptor.async_accept(net::make_strand(ioc),
                          beast::bind_front_handler(&Shared::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket);
};

namespace {

/// Counts a connection for as long as the owning session lives.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<Server::Shared> shared) : shared_(std::move(shared)) {
    ++shared_->connections;
  }
  ~ConnectionSlot() { --shared_->connections; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<Server::Shared> shared_;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<Server::Shared> shared,
              std::unique_ptr<AddressPlace> place)
      : stream_(std::move(socket), shared->tls),
        shared_(shared),
        slot_(shared),
        place_(std::move(place)),
        deadline_(stream_.get_executor()) {}

  ~HttpSession() {
    if (holds_gate_slot_) shared_->gate.release();
  }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::on_run, shared_from_this()));
  }

 private:
  // Before its handshake a connection waits for its first bytes, then for a place at the
  // handshake gate, both within the handshake timeout counted from here.
  enum class Admission { kAwaitingHello, kQueued, kAdmitted, kTimedOut };

  void on_run() {
    handshake_deadline_ = std::chrono::steady_clock::now() + shared_->options.handshake_timeout;
    boost::system::error_code ec;
    peer_.remote_address = endpoint_text(beast::get_lowest_layer(stream_).socket(), ec);
    if (shared_->options.max_concurrent_handshakes == 0) return start_handshake();
    deadline_.expires_at(handshake_deadline_);
    deadline_.async_wait(beast::bind_front_handler(&HttpSession::on_deadline, shared_from_this()));
    beast::get_lowest_layer(stream_).socket().async_wait(
        tcp::socket::wait_read,
        beast::bind_front_handler(&HttpSession::on_first_bytes, shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec) {
    if (ec) return;  // closed at the deadline
    auto expected = Admission::kAwaitingHello;
    if (!admission_.compare_exchange_strong(expected, Admission::kQueued)) return;
    // The grant runs on whichever thread frees a place: it only claims the place and hands
    // the handshake to this connection's strand.
    // Weak: a queued connection lives by its deadline timer, and is gone once that fired.
    shared_->gate.acquire([weak = weak_from_this()] {
      auto self = weak.lock();
      if (!self) return false;
      auto queued = Admission::kQueued;
      if (!self->admission_.compare_exchange_strong(queued, Admission::kAdmitted)) return false;
      net::post(self->stream_.get_executor(), [self] {
        self->holds_gate_slot_ = true;
        self->deadline_.cancel();
        self->start_handshake();
      });
      return true;
    });
  }

  void on_deadline(beast::error_code ec) {
    if (ec) return;  // admitted in time
    auto state = admission_.load();
    while (state != Admission::kAdmitted &&
           !admission_.compare_exchange_weak(state, Admission::kTimedOut)) {
    }
    if (state == Admission::kAdmitted) return;
    shared_->refused(state == Admission::kQueued ? "tls_handshake_queue_timeout"
                                                 : "tls_handshake_timeout");
    beast::get_lowest_layer(stream_).socket().close(ec);
  }

  void start_handshake() {
    // Admitted: the handshake itself gets the full timeout, whatever the wait for a place
    // took; otherwise a late admission would spend the crypto and then time out anyway.
    beast::get_lowest_layer(stream_).expires_after(shared_->options.handshake_timeout);
    stream_.async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&HttpSession::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (holds_gate_slot_) {
      holds_gate_slot_ = false;
      shared_->gate.release();
    }
    if (ec) {
      long verify = SSL_get_verify_result(stream_.native_handle());
      if (verify != X509_V_OK) {
        shared_->refused("client_certificate_rejected");
        spdlog::warn("TLS handshake from {}: client certificate rejected: {}", peer_.remote_address,
                     X509_verify_cert_error_string(verify));
        return;
      }
      shared_->refused(ec == beast::error::timeout ? "tls_handshake_timeout"
                                                   : "tls_handshake_failed");
      return fail(ec, "TLS handshake");
    }
    fill_peer_identity(stream_.native_handle(), peer_);
    if (shared_->options.on_tls_handshake) shared_->options.on_tls_handshake();
    handshake_done_ = std::chrono::steady_clock::now();
    if (peer_.has_verified_certificate) {
      tracking_ = shared_->app.on_verified_peer(peer_, [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self) return;
        net::post(self->stream_.get_executor(), [self] {
          if (self->upgraded_) return;
          beast::error_code ignored;
          beast::get_lowest_layer(self->stream_).socket().close(ignored);
        });
      });
    }
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(shared_->options.max_http_body_bytes);
    // The first request must follow the handshake promptly; later ones may idle longer, but
    // never past the connection's lifetime.
    if (first_request_) {
      beast::get_lowest_layer(stream_).expires_after(shared_->options.handshake_timeout);
    } else {
      beast::get_lowest_layer(stream_).expires_at(
          std::min(std::chrono::steady_clock::now() + shared_->options.http_timeout,
                   handshake_done_ + shared_->options.max_connection_lifetime));
    }
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec == http::error::body_limit) {
      drain_before_close_ = true;
      return write(error(http::status::payload_too_large, 11, "payload_too_large",
                         "request body is larger than " +
                             std::to_string(shared_->options.max_http_body_bytes) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      drain_before_close_ = true;
      return write(error(http::status::request_header_fields_too_large, 11, "header_too_large",
                         "request header is larger than 16 KiB"));
    }
    if (ec) return fail(ec, "HTTP read");
    first_request_ = false;
    ++requests_;
    HttpRequest request = parser_->release();
    if (websocket::is_upgrade(request)) return upgrade(std::move(request));

    const bool keep_alive = request.keep_alive();
    const unsigned version = request.version();
    // Time to produce the response counts against the HTTP timeout as well.
    beast::get_lowest_layer(stream_).expires_after(shared_->options.http_timeout);
    auto self = shared_from_this();
    try {
      shared_->app.handle_http(
          std::move(request), peer_, [self, keep_alive, version](HttpResponse response) {
            response.version(version);
            response.keep_alive(keep_alive && response.keep_alive());
            response.prepare_payload();
            net::post(self->stream_.get_executor(),
                      [self, r = std::move(response)]() mutable { self->write(std::move(r)); });
          });
    } catch (const std::exception& e) {
      spdlog::error("HTTP handler threw: {}", e.what());
      write(error(http::status::internal_server_error, version, "internal", "internal error"));
    }
  }

  void upgrade(HttpRequest request) {
    if (!shared_->options.accept_websockets) {
      return write(error(http::status::not_found, request.version(), "not_found",
                         "agents connect to the agent listener, not this one"));
    }
    // The application may decide on another thread; meanwhile the connection reads nothing,
    // stays tracked (revocation still closes it) and gives up after the HTTP timeout.
    upgrade_request_ = std::move(request);
    deadline_.expires_after(shared_->options.http_timeout);
    deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      spdlog::warn("WebSocket upgrade from {}: no decision in time", self->peer_.remote_address);
      beast::get_lowest_layer(self->stream_).socket().close(ec);
    });
    auto decided = std::make_shared<std::atomic<bool>>(false);
    Decide decide = [self = shared_from_this(), decided](UpgradeDecision decision) {
      if (decided->exchange(true)) return;
      net::post(self->stream_.get_executor(), [self, decision = std::move(decision)]() mutable {
        self->on_upgrade_decided(std::move(decision));
      });
    };
    try {
      shared_->app.accept_websocket(*upgrade_request_, peer_, decide);
    } catch (const std::exception& e) {
      spdlog::error("WebSocket upgrade handler threw: {}", e.what());
      UpgradeDecision failed;
      failed.refusal = error(http::status::internal_server_error, 11, "internal", "internal error");
      decide(std::move(failed));  // nothing if the application decided before it threw
    }
  }

  void on_upgrade_decided(UpgradeDecision decision) {
    deadline_.cancel();
    HttpRequest request = std::move(*upgrade_request_);
    upgrade_request_.reset();
    // Closed meanwhile: by revocation (the device's sockets are closed before any session
    // exists) or at the deadline.
    if (!beast::get_lowest_layer(stream_).socket().is_open()) return;
    if (!decision.handler) {
      decision.refusal.version(request.version());
      decision.refusal.keep_alive(false);
      decision.refusal.prepare_payload();
      return write(std::move(decision.refusal));
    }
    beast::get_lowest_layer(stream_).expires_never();
    upgraded_ = true;
    tracking_.reset();
    make_websocket_session(std::move(stream_), std::move(decision.handler), peer_, shared_->options,
                           shared_->large_messages, std::make_shared<ConnectionSlot>(shared_),
                           std::move(place_), handshake_done_)
        ->run(std::move(request));
  }

  void write(HttpResponse response) {
    if (requests_ >= shared_->options.max_requests_per_connection ||
        std::chrono::steady_clock::now() >=
            handshake_done_ + shared_->options.max_connection_lifetime) {
      response.keep_alive(false);
    }
    response_ = std::make_unique<HttpResponse>(std::move(response));
    beast::get_lowest_layer(stream_).expires_after(shared_->options.http_timeout);
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "HTTP write");
    const bool keep_alive = response_->keep_alive();
    response_.reset();
    if (!keep_alive) return drain_before_close_ ? do_drain() : do_close();
    do_read();
  }

  // After refusing an oversized request the client may still be sending its body. Closing
  // with unread data makes the kernel reset the connection, and the client would lose the
  // 413 before reading it; so read and discard for a bounded time and size first.
  void do_drain() {
    drain_buffer_.resize(64 * 1024);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    read_to_drain();
  }

  void read_to_drain() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            beast::bind_front_handler(&HttpSession::on_drain, shared_from_this()));
  }

  void on_drain(beast::error_code ec, std::size_t n) {
    drained_ += n;
    const auto cap = 2 * shared_->options.max_http_body_bytes + 8 * 1024 * 1024;
    if (ec || drained_ > cap) return do_close();
    read_to_drain();
  }

  void do_close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown(
        beast::bind_front_handler(&HttpSession::on_shutdown, shared_from_this()));
  }

  void on_shutdown(beast::error_code) { beast::get_lowest_layer(stream_).close(); }

  // An error the server answers itself, in the application's error shape; the connection
  // closes after it.
  HttpResponse error(http::status status, unsigned version, std::string_view code,
                     std::string_view message) const {
    HttpResponse res = shared_->app.error_response(status, code, message);
    res.result(status);
    res.version(version);
    res.keep_alive(false);
    res.prepare_payload();
    return res;
  }

  void fail(beast::error_code ec, const char* what) {
    if (is_quiet_error(ec)) return;
    spdlog::debug("{} from {}: {}", what, peer_.remote_address, ec.message());
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<HttpRequest> upgrade_request_;  // awaiting the application's decision
  std::unique_ptr<HttpResponse> response_;
  std::shared_ptr<Server::Shared> shared_;
  ConnectionSlot slot_;
  std::unique_ptr<AddressPlace> place_;
  std::shared_ptr<void> tracking_;  // the application's record of a verified peer
  PeerIdentity peer_;
  bool first_request_ = true;
  bool upgraded_ = false;
  std::size_t requests_ = 0;
  std::chrono::steady_clock::time_point handshake_done_{};
  bool drain_before_close_ = false;
  net::steady_timer deadline_;
  std::chrono::steady_clock::time_point handshake_deadline_;
  std::atomic<Admission> admission_{Admission::kAwaitingHello};
  bool holds_gate_slot_ = false;  // on the strand
  std::vector<char> drain_buffer_;
  std::size_t drained_ = 0;
};

}  // namespace

void Server::Shared::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  if (!ec) set_close_on_exec(socket.native_handle());
  if (ec) {
    // Out of file descriptors, typically: the pending connection stays in the backlog, so
    // accepting again at once would spin. Pause, and let existing connections end.
    spdlog::warn("accept: {}", ec.message());
    refused("accept_failed");
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor.is_open()) self->do_accept();
    });
    return;
  } else if (connections.load() >= options.max_connections) {
    spdlog::warn("connection limit {} reached; refusing a connection", options.max_connections);
    socket.close(ec);
  } else {
    auto remote = socket.remote_endpoint(ec);
    auto place = ec ? nullptr : unauthenticated->try_acquire(remote.address());
    if (!place) {
      // Debug only: a flood would otherwise flood the log; the metric counts it.
      spdlog::debug("connection from {} refused: {} unauthenticated connections from there",
                    ec ? std::string("unknown") : remote.address().to_string(),
                    options.max_unauthenticated_per_address);
      refused("per_address_limit");
      socket.close(ec);
    } else {
      // Small request/response exchanges and agent messages: no Nagle delay (it costs up to
      // 40 ms per exchange against delayed ACKs).
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(std::move(socket), shared_from_this(), std::move(place))->run();
    }
  }
  if (acceptor.is_open()) do_accept();
}

HttpResponse ServerApplication::error_response(http::status status, std::string_view /*code*/,
                                               std::string_view message) const {
  HttpResponse res{status, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::string(message) + "\n";
  return res;
}

Server::Server(net::io_context& ioc, ssl::context& tls, ServerApplication& app,
               ServerOptions options)
    : shared_(std::make_shared<Shared>(ioc, tls, app, std::move(options))) {}

Server::~Server() { stop(); }

Result<void> Server::start() {
  beast::error_code ec;
  auto& acceptor = shared_->acceptor;
  const auto& endpoint = shared_->options.endpoint;
  auto where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("listen on " + where + ": " + ec.message());
  set_close_on_exec(acceptor.native_handle());
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) return fail("listen on " + where + ": " + ec.message());
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on " + where + ": " + ec.message());
  shared_->do_accept();
  return {};
}

std::uint16_t Server::port() const {
  beast::error_code ec;
  auto ep = shared_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::stop() {
  net::post(shared_->acceptor.get_executor(), [shared = shared_] {
    beast::error_code ec;
    shared->accept_retry.cancel();
    shared->acceptor.close(ec);
  });
}

std::size_t Server::connection_count() const { return shared_->connections.load(); }

std::size_t Server::large_messages_reading() const {
  return shared_->large_messages ? shared_->large_messages->running() : 0;
}

std::size_t Server::large_messages_waiting() const {
  return shared_->large_messages ? shared_->large_messages->waiting() : 0;
}

}  // namespace triage::transport
