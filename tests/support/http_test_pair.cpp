#include "tests/support/http_test_pair.hpp"

#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "shared/transport/http_session_impl.hpp"

// The session template, for the test stream (the product instantiates it for TLS).
template class triage::transport::HttpSession<boost::beast::test::stream>;

namespace triage::testing {

namespace beast = boost::beast;
namespace http = beast::http;

HttpTestPair::HttpTestPair(transport::ServerApplication& app, transport::HttpSessionLimits limits)
    : work_(ioc_.get_executor()), peer_(ioc_) {
  beast::test::stream server_stream(ioc_);
  peer_.connect(server_stream);
  transport::PeerIdentity peer;
  peer.remote_address = "test-peer:1";
  auto session = std::make_shared<Session>(
      std::move(server_stream), app, peer, std::move(limits),
      [this](beast::test::stream&& stream, transport::HttpRequest request,
             std::unique_ptr<transport::WebSocketHandler> handler) {
        upgrade_.emplace(Upgrade{std::move(stream), std::move(request), std::move(handler)});
      });
  session_ = session;
  session->run();
  do_peer_read();
}

HttpTestPair::~HttpTestPair() = default;

bool HttpTestPair::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Waits for the next handler at most briefly: timers come in too.
    ioc_.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

void HttpTestPair::send(std::string_view bytes) {
  // The test stream takes every byte at once into the other end's input.
  boost::asio::write(peer_, boost::asio::buffer(bytes.data(), bytes.size()));
}

void HttpTestPair::send(transport::HttpRequest request) {
  if (request.find(http::field::host) == request.end()) request.set(http::field::host, "test");
  request.prepare_payload();
  http::write(peer_, request);
}

void HttpTestPair::close_peer() { peer_.close(); }

std::vector<transport::HttpResponse> HttpTestPair::responses() const {
  // Parse what arrived from a stream of its own that ends where it ends.
  boost::asio::io_context ioc;
  beast::test::stream in(ioc, received_);
  in.close_remote();
  beast::flat_buffer buffer;
  std::vector<transport::HttpResponse> responses;
  for (;;) {
    transport::HttpResponse response;
    beast::error_code ec;
    http::read(in, buffer, response, ec);
    if (ec) break;
    responses.push_back(std::move(response));
  }
  return responses;
}

void HttpTestPair::do_peer_read() {
  peer_.async_read_some(boost::asio::buffer(chunk_), [this](beast::error_code ec, std::size_t n) {
    received_.append(chunk_, n);
    if (ec) {
      peer_closed_ = true;
      return;
    }
    do_peer_read();
  });
}

}  // namespace triage::testing
