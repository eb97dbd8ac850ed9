#include "shared/transport/server.hpp"

#include <atomic>
#include <utility>

#include <openssl/x509.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "shared/transport/address_limiter.hpp"
#include "shared/transport/admission_gate.hpp"
#include "shared/transport/http_session.hpp"
#include "shared/transport/peer_tls.hpp"
#include "shared/transport/server_websocket_session.hpp"
#include "shared/transport/tls_context_slot.hpp"
#include "shared/util/close_on_exec.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::transport {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

struct Server::Shared : std::enable_shared_from_this<Server::Shared> {
  Shared(net::io_context& io, std::shared_ptr<TlsContextSlot> t, ServerApplication& a,
         ServerOptions o)
      : ioc(io),
        tls(std::move(t)),
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
  std::shared_ptr<TlsContextSlot> tls;
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

// One accepted connection up to the end of its TLS handshake (the admission gate, the
// handshake deadline); then an HttpSession takes the stream. It lives as long as that session
// holds it, with the connection's count, its address place and the application's record of a
// verified peer, and hands them to the WebSocket session on an upgrade.
class TlsConnection : public std::enable_shared_from_this<TlsConnection> {
 public:
  TlsConnection(tcp::socket&& socket, std::shared_ptr<Server::Shared> shared,
                std::unique_ptr<AddressPlace> place)
      : context_(shared->tls->current()),
        stream_(std::move(socket), *context_),
        shared_(shared),
        slot_(shared),
        place_(std::move(place)),
        deadline_(stream_.get_executor()) {}

  ~TlsConnection() {
    if (holds_gate_slot_) shared_->gate.release();
  }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&TlsConnection::on_run, shared_from_this()));
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
    deadline_.async_wait(
        beast::bind_front_handler(&TlsConnection::on_deadline, shared_from_this()));
    beast::get_lowest_layer(stream_).socket().async_wait(
        tcp::socket::wait_read,
        beast::bind_front_handler(&TlsConnection::on_first_bytes, shared_from_this()));
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
        beast::bind_front_handler(&TlsConnection::on_handshake, shared_from_this()));
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
        logs::transport().warn("TLS handshake from {}: client certificate rejected: {}",
                               peer_.remote_address, X509_verify_cert_error_string(verify));
        return;
      }
      shared_->refused(ec == beast::error::timeout ? "tls_handshake_timeout"
                                                   : "tls_handshake_failed");
      if (is_quiet_error(ec)) return;
      logs::transport().debug("TLS handshake from {}: {}", peer_.remote_address, ec.message());
      return;
    }
    fill_peer_identity(stream_.native_handle(), peer_);
    if (shared_->options.on_tls_handshake) {
      shared_->options.on_tls_handshake(peer_.tls_session_resumed);
    }
    handshake_done_ = std::chrono::steady_clock::now();
    start_http();
  }

  void start_http() {
    auto session = std::make_shared<HttpSession<TlsStream>>(
        std::move(stream_), shared_->app, peer_, http_limits(),
        [self = shared_from_this()](TlsStream&& stream, HttpRequest request,
                                    std::unique_ptr<WebSocketHandler> handler) {
          self->upgrade(std::move(stream), std::move(request), std::move(handler));
        });
    if (peer_.has_verified_certificate) {
      tracking_ = shared_->app.on_verified_peer(
          peer_, [weak = std::weak_ptr<HttpSession<TlsStream>>(session)] {
            if (auto session = weak.lock()) session->close();
          });
    }
    session->run();
  }

  HttpSessionLimits http_limits() const {
    const auto& options = shared_->options;
    HttpSessionLimits limits;
    limits.first_request_timeout = options.handshake_timeout;
    limits.idle_timeout = options.http_timeout;
    limits.max_body_bytes = options.max_http_body_bytes;
    limits.max_requests = options.max_requests_per_connection;
    limits.end_of_life = handshake_done_ + options.max_connection_lifetime;
    limits.accept_websockets = options.accept_websockets;
    return limits;
  }

  void upgrade(TlsStream&& stream, HttpRequest request, std::unique_ptr<WebSocketHandler> handler) {
    tracking_.reset();
    make_websocket_session(std::move(stream), std::move(handler), peer_, shared_->options,
                           shared_->large_messages, std::make_shared<ConnectionSlot>(shared_),
                           std::move(place_), handshake_done_)
        ->run(std::move(request));
  }

  // The context this connection was accepted with, whatever the listener serves later. Its
  // SSL object holds a reference of its own on the OpenSSL context, so the sessions the
  // stream moves to need nothing more.
  SslContextPtr context_;
  TlsStream stream_;  // until the HTTP session takes it
  std::shared_ptr<Server::Shared> shared_;
  ConnectionSlot slot_;
  std::unique_ptr<AddressPlace> place_;
  std::shared_ptr<void> tracking_;  // the application's record of a verified peer
  PeerIdentity peer_;
  std::chrono::steady_clock::time_point handshake_done_{};
  net::steady_timer deadline_;
  std::chrono::steady_clock::time_point handshake_deadline_;
  std::atomic<Admission> admission_{Admission::kAwaitingHello};
  bool holds_gate_slot_ = false;  // on the strand
};

}  // namespace

void Server::Shared::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  if (!ec) set_close_on_exec(socket.native_handle());
  if (ec) {
    // Out of file descriptors, typically: the pending connection stays in the backlog, so
    // accepting again at once would spin. Pause, and let existing connections end.
    logs::transport().warn("accept: {}", ec.message());
    refused("accept_failed");
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor.is_open()) self->do_accept();
    });
    return;
  } else if (connections.load() >= options.max_connections) {
    logs::transport().warn("connection limit {} reached; refusing a connection",
                           options.max_connections);
    socket.close(ec);
  } else {
    auto remote = socket.remote_endpoint(ec);
    auto place = ec ? nullptr : unauthenticated->try_acquire(remote.address());
    if (!place) {
      // Debug only: a flood would otherwise flood the log; the metric counts it.
      logs::transport().debug(
          "connection from {} refused: {} unauthenticated connections from there",
          ec ? std::string("unknown") : remote.address().to_string(),
          options.max_unauthenticated_per_address);
      refused("per_address_limit");
      socket.close(ec);
    } else {
      // Small request/response exchanges and agent messages: no Nagle delay (it costs up to
      // 40 ms per exchange against delayed ACKs).
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<TlsConnection>(std::move(socket), shared_from_this(), std::move(place))
          ->run();
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
    // Not owned: the caller keeps `tls` alive as long as the server and its connections.
    : Server(ioc, std::make_shared<TlsContextSlot>(SslContextPtr(SslContextPtr(), &tls)), app,
             std::move(options)) {}

Server::Server(net::io_context& ioc, std::shared_ptr<TlsContextSlot> tls, ServerApplication& app,
               ServerOptions options)
    : shared_(std::make_shared<Shared>(ioc, std::move(tls), app, std::move(options))) {}

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
