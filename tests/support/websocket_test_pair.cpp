#include "tests/support/websocket_test_pair.hpp"

#include <stdexcept>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "shared/transport/server_websocket_session_impl.hpp"

// The session templates, for the test stream (the product instantiates them for TLS).
template class triage::transport::WebSocketSession<boost::beast::test::stream>;
template class triage::transport::ServerWebSocketSession<boost::beast::test::stream>;

namespace triage::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

WebSocketTestPair::WebSocketTestPair(std::unique_ptr<transport::WebSocketHandler> handler,
                                     transport::WebSocketLimits limits,
                                     std::size_t server_write_size)
    : work_(ioc_.get_executor()), server_stream_(ioc_), peer_(ioc_) {
  peer_.next_layer().connect(server_stream_);
  if (server_write_size > 0) server_stream_.write_size(server_write_size);
  peer_.binary(true);
  peer_.async_handshake("localhost", "/agent/v1", [this](beast::error_code ec) {
    if (ec) throw std::runtime_error("test peer handshake: " + ec.message());
    handshake_done_ = true;
    do_peer_read();
    do_peer_write();
  });
  // What the HTTP session does before an upgrade: read the request, hand the stream over.
  auto request = std::make_shared<transport::HttpRequest>();
  http::async_read(server_stream_, server_buffer_, *request,
                   [this, request, handler = std::move(handler), limits = std::move(limits)](
                       beast::error_code ec, std::size_t) mutable {
                     if (ec) throw std::runtime_error("test upgrade request: " + ec.message());
                     transport::PeerIdentity peer;
                     peer.remote_address = "test-peer:1";
                     session_ =
                         std::make_shared<Session>(std::move(server_stream_), std::move(handler),
                                                   peer, std::move(limits), nullptr);
                     session_->run(std::move(*request));
                   });
}

WebSocketTestPair::~WebSocketTestPair() = default;

bool WebSocketTestPair::run_until(const std::function<bool()>& done,
                                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Waits for the next handler at most briefly: timers and other threads' posts come in.
    ioc_.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

void WebSocketTestPair::send(std::string frame, bool text) {
  outgoing_.emplace_back(std::move(frame), text);
  if (handshake_done_) do_peer_write();
}

void WebSocketTestPair::do_peer_write() {
  if (writing_ || outgoing_.empty() || close_code_) return;
  writing_ = true;
  peer_.binary(!outgoing_.front().second);
  peer_.async_write(boost::asio::buffer(outgoing_.front().first),
                    [this](beast::error_code ec, std::size_t) {
                      writing_ = false;
                      if (ec) return;
                      outgoing_.erase(outgoing_.begin());
                      do_peer_write();
                    });
}

void WebSocketTestPair::close(std::uint16_t code) {
  peer_.async_close(websocket::close_reason(code), [](beast::error_code) {});
}

void WebSocketTestPair::do_peer_read() {
  peer_.async_read(peer_buffer_, [this](beast::error_code ec, std::size_t) {
    if (ec) {
      const auto& reason = peer_.reason();
      close_code_ = ec == websocket::error::closed ? reason.code : 0;
      close_reason_ =
          ec == websocket::error::closed ? std::string(reason.reason.c_str()) : ec.message();
      return;
    }
    received_.push_back(beast::buffers_to_string(peer_buffer_.data()));
    peer_buffer_.consume(peer_buffer_.size());
    do_peer_read();
  });
}

std::size_t WebSocketTestPair::bytes_to_peer() {
  auto& stream = peer_.next_layer();
  return stream.nread_bytes() + stream.buffer().size();
}

}  // namespace triage::testing
