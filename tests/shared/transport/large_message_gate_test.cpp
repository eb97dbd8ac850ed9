// The large-message gate of the WebSocket server: messages past the small-message size are
// read a bounded number at a time, small ones never wait, and a peer that holds a place too
// long is dropped. A real TLS server on 127.0.0.1 and raw Beast WebSocket clients, so a test
// can send half a message and stall.

#include <catch2/catch.hpp>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <openssl/x509v3.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "shared/transport/server.hpp"
#include "shared/transport/tls_context.hpp"
#include "tests/shared/transport/loopback_tls_server.hpp"
#include "tests/support/child_process.hpp"

using namespace std::chrono_literals;
using namespace triage;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

using testing::eventually;
using testing::must;

// Records the size of every message received, by any connection.
struct Received {
  std::mutex mutex;
  std::vector<std::size_t> sizes;
  bool has(std::size_t size) {
    std::lock_guard lock(mutex);
    return std::find(sizes.begin(), sizes.end(), size) != sizes.end();
  }
};

class RecordingHandler final : public transport::WebSocketHandler {
 public:
  explicit RecordingHandler(Received& received) : received_(received) {}
  void on_open(const std::shared_ptr<transport::WebSocketConnection>&) override {}
  void on_message(std::string_view frame) override {
    std::lock_guard lock(received_.mutex);
    received_.sizes.push_back(frame.size());
  }
  void on_close(std::string_view) override {}

 private:
  Received& received_;
};

class RecordingApp final : public transport::ServerApplication {
 public:
  void handle_http(transport::HttpRequest, const transport::PeerIdentity&,
                   transport::Respond respond) override {
    respond(transport::HttpResponse{transport::http::status::not_found, 11});
  }
  void accept_websocket(const transport::HttpRequest&, const transport::PeerIdentity&,
                        transport::Decide decide) override {
    transport::UpgradeDecision d;
    d.handler = std::make_unique<RecordingHandler>(received);
    decide(std::move(d));
  }
  Received received;
};

// One place for messages over 1 KiB, held at most 3 s.
struct GatedWebSocketServer {
  GatedWebSocketServer() : loopback(app, options()) {}
  static transport::ServerOptions options() {
    transport::ServerOptions o;
    o.max_concurrent_large_messages = 1;
    o.small_message_bytes = 1024;
    o.large_message_timeout = 3s;
    return o;
  }
  transport::Server& server() { return loopback.server(); }

  RecordingApp app;
  testing::LoopbackTlsServer loopback;
};

// A blocking WebSocket client that can send part of a message (a non-final frame).
struct RawClient {
  RawClient(boost::asio::ssl::context& tls, std::uint16_t port) : ws(ioc, tls) {
    beast::get_lowest_layer(ws).connect({boost::asio::ip::make_address("127.0.0.1"), port});
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ws.next_layer().native_handle()), "127.0.0.1");
    ws.next_layer().handshake(boost::asio::ssl::stream_base::client);
    ws.handshake("127.0.0.1", "/agent/v1");
    ws.binary(true);
  }
  void send_part(std::size_t bytes) {
    const std::string data(bytes, 'p');
    ws.write_some(false, boost::asio::buffer(data));
  }
  void send_message(std::size_t bytes) {
    const std::string data(bytes, 'm');
    ws.write(boost::asio::buffer(data));
  }

  boost::asio::io_context ioc;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
};

}  // namespace

TEST_CASE("large messages are read one at a time, small ones never wait, a stalled one is dropped",
          "[integration]") {
  GatedWebSocketServer server;
  auto client_tls = must(transport::make_client_tls_context({server.loopback.ca_pem(), "", ""}));
  const auto port = server.server().port();

  // A starts a large message and stalls in the middle of it: it holds the only place.
  RawClient a(*client_tls, port);
  a.send_part(8 * 1024);
  REQUIRE(eventually([&] { return server.server().large_messages_reading() == 1; }));

  // B's whole large message waits for the place.
  RawClient b(*client_tls, port);
  b.send_message(40 * 1024);
  REQUIRE(eventually([&] { return server.server().large_messages_waiting() == 1; }));

  // C's small message goes straight through meanwhile.
  RawClient c(*client_tls, port);
  c.send_message(100);
  REQUIRE(eventually([&] { return server.app.received.has(100); }));
  CHECK_FALSE(server.app.received.has(40 * 1024));

  // A's time with the place runs out: A is dropped, and B's message is read.
  REQUIRE(eventually([&] { return server.app.received.has(40 * 1024); }));
  CHECK(server.loopback.refused("slow_message"));
  CHECK(server.server().large_messages_reading() == 0);
  CHECK(server.server().large_messages_waiting() == 0);
  beast::error_code ec;
  beast::flat_buffer buffer;
  a.ws.read(buffer, ec);
  CHECK(ec);  // A's connection is gone
}

TEST_CASE("a large message sent in fragments is read whole, and its place is given back",
          "[integration]") {
  GatedWebSocketServer server;
  auto client_tls = must(transport::make_client_tls_context({server.loopback.ca_pem(), "", ""}));
  RawClient a(*client_tls, server.server().port());
  a.send_part(8 * 1024);
  a.send_part(8 * 1024);
  a.ws.write_some(true, boost::asio::buffer(std::string(10, 'f')));
  REQUIRE(eventually([&] { return server.app.received.has(16 * 1024 + 10); }));
  CHECK(server.server().large_messages_reading() == 0);
  // The place is free again: the next large message goes through.
  a.send_message(20 * 1024);
  REQUIRE(eventually([&] { return server.app.received.has(20 * 1024); }));
  CHECK_FALSE(server.loopback.refused("slow_message"));
}
