#pragma once
// Member definitions of ServerWebSocketSession<NextLayer>: include only where the template is
// instantiated (websocket_session.cpp for TlsStream; tests for beast::test::stream).

#include <string>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "shared/transport/server_websocket_session.hpp"
#include "shared/transport/websocket_session_impl.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::transport {

template <class NextLayer>
ServerWebSocketSession<NextLayer>::ServerWebSocketSession(NextLayer&& stream,
                                                          std::unique_ptr<WebSocketHandler> handler,
                                                          PeerIdentity peer, WebSocketLimits limits,
                                                          std::shared_ptr<void> keep_alive,
                                                          std::unique_ptr<AddressPlace> place)
    : WebSocketSession<NextLayer>(*handler, std::move(peer), std::move(limits), std::move(stream)),
      owned_handler_(std::move(handler)),
      keep_alive_(std::move(keep_alive)),
      unauthenticated_place_(std::move(place)),
      authentication_timer_(this->ws_.get_executor()) {}

template <class NextLayer>
void ServerWebSocketSession<NextLayer>::run(HttpRequest request) {
  boost::asio::dispatch(this->ws_.get_executor(),
                        boost::beast::bind_front_handler(&ServerWebSocketSession::on_run, self(),
                                                         std::move(request)));
}

template <class NextLayer>
void ServerWebSocketSession<NextLayer>::on_run(HttpRequest request) {
  // The WebSocket stream has its own timeout system; turn off the tcp_stream's.
  this->disarm_transport_timeout();
  this->apply_stream_options(boost::beast::role_type::server);
  if (this->limits_.authentication_deadline != std::chrono::steady_clock::time_point{}) {
    // Pings keep a silent peer alive for ever; this deadline does not move.
    authentication_timer_.expires_at(this->limits_.authentication_deadline);
    authentication_timer_.async_wait(boost::beast::bind_front_handler(
        &ServerWebSocketSession::on_authentication_deadline, self()));
  }
  this->ws_.async_accept(
      request, boost::beast::bind_front_handler(&ServerWebSocketSession::on_accept, self()));
}

template <class NextLayer>
void ServerWebSocketSession<NextLayer>::on_accept(boost::beast::error_code ec) {
  if (ec) return this->end("upgrade failed: " + websocket_session_detail::describe(ec));
  this->opened();
}

template <class NextLayer>
void ServerWebSocketSession<NextLayer>::authenticated() {
  boost::asio::post(this->ws_.get_executor(), [self = self()] {
    self->authenticated_ = true;
    self->authentication_timer_.cancel();
    if (self->unauthenticated_place_) self->unauthenticated_place_->release();
  });
}

template <class NextLayer>
void ServerWebSocketSession<NextLayer>::on_authentication_deadline(boost::beast::error_code ec) {
  if (ec || authenticated_ || this->ended_) return;
  if (this->limits_.on_refused) this->limits_.on_refused("authentication_timeout");
  const auto reason = "no hello within " +
                      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         this->limits_.authentication_timeout)
                                         .count()) +
                      " ms of the TLS handshake";
  logs::transport().warn("WebSocket from {}: {}; closing", this->peer_.remote_address, reason);
  if (!this->opened_) return this->end(reason);  // still upgrading: nothing to close cleanly
  this->on_close_request(CloseCode::kPolicyViolation, reason);
}

template <class NextLayer>
void ServerWebSocketSession<NextLayer>::on_end() {
  authentication_timer_.cancel();
}

}  // namespace triage::transport
