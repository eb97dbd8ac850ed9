#pragma once
// Member definitions of HttpSession<Stream>: include only where the template is instantiated
// (http_session.cpp for TlsStream; tests for beast::test::stream).

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "shared/transport/http_session.hpp"
#include "shared/transport/peer_tls.hpp"
#include "shared/transport/stream_layers.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::transport {

template <class Stream>
HttpSession<Stream>::HttpSession(Stream&& stream, ServerApplication& app, PeerIdentity peer,
                                 HttpSessionLimits limits, Upgrade upgrade)
    : stream_(std::move(stream)),
      app_(app),
      peer_(std::move(peer)),
      limits_(std::move(limits)),
      upgrade_(std::move(upgrade)),
      deadline_(stream_.get_executor()) {}

template <class Stream>
void HttpSession<Stream>::run() {
  boost::asio::dispatch(stream_.get_executor(),
                        boost::beast::bind_front_handler(&HttpSession::on_run, self()));
}

template <class Stream>
void HttpSession<Stream>::on_run() {
  // Every step runs under this session's own deadline; turn off the transport's.
  disarm_lowest_timeout(stream_);
  do_read();
}

template <class Stream>
void HttpSession<Stream>::close() {
  boost::asio::post(stream_.get_executor(), [self = self()] {
    if (!self->upgraded_) self->end();
  });
}

template <class Stream>
void HttpSession<Stream>::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  parser_->body_limit(limits_.max_body_bytes);
  // The first request must follow the handshake promptly; later ones may idle longer, but
  // never past the connection's end of life.
  const auto now = std::chrono::steady_clock::now();
  arm_deadline(first_request_ ? now + limits_.first_request_timeout
                              : std::min(now + limits_.idle_timeout, limits_.end_of_life));
  http::async_read(stream_, buffer_, *parser_,
                   boost::beast::bind_front_handler(&HttpSession::on_read, self()));
}

template <class Stream>
void HttpSession<Stream>::on_read(boost::beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_close();
  if (ec == http::error::body_limit) {
    drain_before_close_ = true;
    return write(
        error(http::status::payload_too_large, 11, "payload_too_large",
              "request body is larger than " + std::to_string(limits_.max_body_bytes) + " bytes"));
  }
  if (ec == http::error::header_limit) {
    drain_before_close_ = true;
    return write(error(http::status::request_header_fields_too_large, 11, "header_too_large",
                       "request header is larger than " +
                           std::to_string(limits_.max_header_bytes / 1024) + " KiB"));
  }
  if (ec) {
    fail(ec, "HTTP read");
    return end();
  }
  first_request_ = false;
  ++requests_;
  HttpRequest request = parser_->release();
  if (boost::beast::websocket::is_upgrade(request)) return upgrade(std::move(request));
  handle(std::move(request));
}

template <class Stream>
void HttpSession<Stream>::handle(HttpRequest request) {
  const bool keep_alive = request.keep_alive();
  const unsigned version = request.version();
  // Time to produce the response counts against the idle timeout as well.
  arm_deadline(std::chrono::steady_clock::now() + limits_.idle_timeout);
  try {
    app_.handle_http(
        std::move(request), peer_, [self = self(), keep_alive, version](HttpResponse response) {
          response.version(version);
          response.keep_alive(keep_alive && response.keep_alive());
          response.prepare_payload();
          boost::asio::post(
              self->stream_.get_executor(),
              [self, r = std::move(response)]() mutable { self->write(std::move(r)); });
        });
  } catch (const std::exception& e) {
    logs::transport().error("HTTP handler threw: {}", e.what());
    write(error(http::status::internal_server_error, version, "internal", "internal error"));
  }
}

template <class Stream>
void HttpSession<Stream>::upgrade(HttpRequest request) {
  if (!limits_.accept_websockets) {
    return write(error(http::status::not_found, request.version(), "not_found",
                       "agents connect to the agent listener, not this one"));
  }
  // The application may decide on another thread; meanwhile the connection reads nothing,
  // can still be closed (revocation) and gives up at the deadline.
  upgrade_request_ = std::move(request);
  arm_deadline(std::chrono::steady_clock::now() + limits_.idle_timeout);
  auto decided = std::make_shared<std::atomic<bool>>(false);
  Decide decide = [self = self(), decided](UpgradeDecision decision) {
    if (decided->exchange(true)) return;
    boost::asio::post(self->stream_.get_executor(),
                      [self, decision = std::move(decision)]() mutable {
                        self->on_upgrade_decided(std::move(decision));
                      });
  };
  try {
    app_.accept_websocket(*upgrade_request_, peer_, decide);
  } catch (const std::exception& e) {
    logs::transport().error("WebSocket upgrade handler threw: {}", e.what());
    UpgradeDecision failed;
    failed.refusal = error(http::status::internal_server_error, 11, "internal", "internal error");
    decide(std::move(failed));  // nothing if the application decided before it threw
  }
}

template <class Stream>
void HttpSession<Stream>::on_upgrade_decided(UpgradeDecision decision) {
  deadline_.cancel();
  HttpRequest request = std::move(*upgrade_request_);
  upgrade_request_.reset();
  // Closed meanwhile: by revocation (the device's sockets are closed before any session
  // exists) or at the deadline.
  if (ended_) return;
  if (!decision.handler) {
    decision.refusal.version(request.version());
    decision.refusal.keep_alive(false);
    decision.refusal.prepare_payload();
    return write(std::move(decision.refusal));
  }
  upgraded_ = true;
  upgrade_(std::move(stream_), std::move(request), std::move(decision.handler));
}

template <class Stream>
void HttpSession<Stream>::write(HttpResponse response) {
  if (requests_ >= limits_.max_requests ||
      std::chrono::steady_clock::now() >= limits_.end_of_life) {
    response.keep_alive(false);
  }
  response_ = std::make_unique<HttpResponse>(std::move(response));
  arm_deadline(std::chrono::steady_clock::now() + limits_.idle_timeout);
  http::async_write(stream_, *response_,
                    boost::beast::bind_front_handler(&HttpSession::on_write, self()));
}

template <class Stream>
void HttpSession<Stream>::on_write(boost::beast::error_code ec, std::size_t) {
  if (ec) {
    fail(ec, "HTTP write");
    return end();
  }
  const bool keep_alive = response_->keep_alive();
  response_.reset();
  if (!keep_alive) return drain_before_close_ ? do_drain() : do_close();
  do_read();
}

// After refusing an oversized request the client may still be sending its body. Closing with
// unread data makes the kernel reset the connection, and the client would lose the refusal
// before reading it; so read and discard for a bounded time and size first.
template <class Stream>
void HttpSession<Stream>::do_drain() {
  drain_buffer_.resize(64 * 1024);
  arm_deadline(std::chrono::steady_clock::now() + limits_.drain_timeout);
  read_to_drain();
}

template <class Stream>
void HttpSession<Stream>::read_to_drain() {
  stream_.async_read_some(boost::asio::buffer(drain_buffer_),
                          boost::beast::bind_front_handler(&HttpSession::on_drain, self()));
}

template <class Stream>
void HttpSession<Stream>::on_drain(boost::beast::error_code ec, std::size_t bytes) {
  drained_ += bytes;
  const auto cap = 2 * limits_.max_body_bytes + 8 * 1024 * 1024;
  if (ec || drained_ > cap) return do_close();
  read_to_drain();
}

template <class Stream>
void HttpSession<Stream>::do_close() {
  if (ended_) return;
  if constexpr (kIsTlsStream<Stream>) {
    arm_deadline(std::chrono::steady_clock::now() + limits_.close_timeout);
    stream_.async_shutdown(boost::beast::bind_front_handler(&HttpSession::on_shutdown, self()));
  } else {
    end();
  }
}

template <class Stream>
void HttpSession<Stream>::on_shutdown(boost::beast::error_code) {
  end();
}

template <class Stream>
void HttpSession<Stream>::end() {
  if (ended_ || upgraded_) return;
  ended_ = true;
  deadline_.cancel();
  close_lowest_layer(stream_);
}

template <class Stream>
void HttpSession<Stream>::arm_deadline(std::chrono::steady_clock::time_point at) {
  deadline_.expires_at(at);
  // Weak: pending reads and writes, the application's completion and an upgrade's decision
  // keep the session alive; the deadline alone does not.
  deadline_.async_wait([weak = this->weak_from_this()](boost::beast::error_code ec) {
    if (auto self = weak.lock()) self->on_deadline(ec);
  });
}

template <class Stream>
void HttpSession<Stream>::on_deadline(boost::beast::error_code ec) {
  // A wait that expired just before the deadline moved on has nothing to close.
  if (ec || ended_ || upgraded_ || deadline_.expiry() > std::chrono::steady_clock::now()) return;
  if (upgrade_request_) {
    logs::transport().warn("WebSocket upgrade from {}: no decision in time", peer_.remote_address);
  } else {
    logs::transport().debug("HTTP connection from {}: deadline passed; closing",
                            peer_.remote_address);
  }
  end();
}

template <class Stream>
HttpResponse HttpSession<Stream>::error(http::status status, unsigned version,
                                        std::string_view code, std::string_view message) const {
  HttpResponse res = app_.error_response(status, code, message);
  res.result(status);
  res.version(version);
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

template <class Stream>
void HttpSession<Stream>::fail(boost::beast::error_code ec, const char* what) const {
  if (is_quiet_error(ec)) return;
  logs::transport().debug("{} from {}: {}", what, peer_.remote_address, ec.message());
}

}  // namespace triage::transport
