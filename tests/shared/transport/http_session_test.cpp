// The HTTP session against a peer over beast::test::stream: requests answered by the
// application, keep-alive and its bounds, the refusals of oversized requests, a malformed
// request, the idle deadline, the upgrade hand-off and the application's error bodies. No
// sockets; every wait polls with a deadline (the short deadlines under test are not timed).

#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "tests/support/http_test_pair.hpp"
#include "tests/support/upgrade_request.hpp"

using namespace std::chrono_literals;
using namespace triage;
namespace http = transport::http;

namespace {

class NullHandler final : public transport::WebSocketHandler {
 public:
  void on_open(const std::shared_ptr<transport::WebSocketConnection>&) override {}
  void on_message(std::string_view) override {}
  void on_close(std::string_view) override {}
};

// Answers "<method> <target>" and renders errors in a shape of its own; upgrades as the test
// says.
class TestApp final : public transport::ServerApplication {
 public:
  enum class Upgrades { kAccept, kRefuse, kNeverDecide };

  void handle_http(transport::HttpRequest request, const transport::PeerIdentity&,
                   transport::Respond respond) override {
    ++requests;
    if (request.target() == "/throw") throw std::runtime_error("handler failed");
    transport::HttpResponse response{http::status::ok, 11};
    response.body() = std::string(request.method_string()) + " " + std::string(request.target());
    respond(std::move(response));
  }
  void accept_websocket(const transport::HttpRequest&, const transport::PeerIdentity&,
                        transport::Decide decide) override {
    ++upgrade_requests;
    transport::UpgradeDecision decision;
    switch (upgrades) {
      case Upgrades::kAccept:
        decision.handler = std::make_unique<NullHandler>();
        return decide(std::move(decision));
      case Upgrades::kRefuse:
        decision.refusal = transport::HttpResponse{http::status::forbidden, 11};
        decision.refusal.body() = "not you";
        return decide(std::move(decision));
      case Upgrades::kNeverDecide:
        pending = std::move(decide);
        return;
    }
  }
  transport::HttpResponse error_response(http::status status, std::string_view code,
                                         std::string_view message) const override {
    transport::HttpResponse res{status, 11};
    res.set(http::field::content_type, "application/x-shape");
    res.body() = "shape[" + std::string(code) + "|" + std::string(message) + "]";
    return res;
  }

  Upgrades upgrades = Upgrades::kAccept;
  int requests = 0;
  int upgrade_requests = 0;
  transport::Decide pending;
};

transport::HttpRequest get(std::string target) {
  return transport::HttpRequest{http::verb::get, target, 11};
}

}  // namespace

TEST_CASE("an HTTP request over the session is answered by the application") {
  TestApp app;
  testing::HttpTestPair pair(app);
  pair.send(get("/healthz"));
  REQUIRE(pair.run_until([&] { return pair.responses().size() == 1; }));
  const auto response = pair.responses()[0];
  CHECK(response.result() == http::status::ok);
  CHECK(response.body() == "GET /healthz");
  CHECK(response.keep_alive());
}

TEST_CASE("a keep-alive HTTP connection serves two requests in order") {
  TestApp app;
  testing::HttpTestPair pair(app);
  pair.send(get("/one"));
  REQUIRE(pair.run_until([&] { return pair.responses().size() == 1; }));
  pair.send(get("/two"));
  REQUIRE(pair.run_until([&] { return pair.responses().size() == 2; }));
  CHECK(pair.responses()[0].body() == "GET /one");
  CHECK(pair.responses()[1].body() == "GET /two");
  CHECK(app.requests == 2);
  CHECK_FALSE(pair.peer_closed());
}

TEST_CASE("the response to a connection's last allowed request closes it") {
  TestApp app;
  transport::HttpSessionLimits limits;
  limits.max_requests = 2;
  testing::HttpTestPair pair(app, limits);
  pair.send(get("/one"));
  REQUIRE(pair.run_until([&] { return pair.responses().size() == 1; }));
  CHECK(pair.responses()[0].keep_alive());
  pair.send(get("/two"));
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  REQUIRE(pair.responses().size() == 2);
  CHECK_FALSE(pair.responses()[1].keep_alive());
}

TEST_CASE("a response after a connection's end of life closes it") {
  TestApp app;
  transport::HttpSessionLimits limits;
  limits.end_of_life = std::chrono::steady_clock::now();
  testing::HttpTestPair pair(app, limits);
  pair.send(get("/late"));
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  REQUIRE(pair.responses().size() == 1);
  CHECK(pair.responses()[0].body() == "GET /late");
  CHECK_FALSE(pair.responses()[0].keep_alive());
}

TEST_CASE("an HTTP body over the limit is refused with 413 in the application's error shape") {
  TestApp app;
  transport::HttpSessionLimits limits;
  limits.max_body_bytes = 1024;
  testing::HttpTestPair pair(app, limits);
  transport::HttpRequest request{http::verb::post, "/upload", 11};
  request.body() = std::string(4096, 'x');
  pair.send(request);
  REQUIRE(pair.run_until([&] { return pair.responses().size() == 1; }));
  const auto response = pair.responses()[0];
  CHECK(response.result() == http::status::payload_too_large);
  CHECK(response[http::field::content_type] == "application/x-shape");
  CHECK(response.body() == "shape[payload_too_large|request body is larger than 1024 bytes]");
  CHECK_FALSE(response.keep_alive());
  CHECK(app.requests == 0);
  // The session reads what the client still sends, and ends once the client is done.
  pair.close_peer();
  REQUIRE(pair.run_until([&] { return pair.session() == nullptr; }));
}

TEST_CASE("an HTTP header over the limit is refused with 431 in the application's error shape") {
  TestApp app;
  testing::HttpTestPair pair(app);
  auto request = get("/");
  request.set("X-Filler", std::string(17 * 1024, 'h'));
  pair.send(request);
  REQUIRE(pair.run_until([&] { return pair.responses().size() == 1; }));
  const auto response = pair.responses()[0];
  CHECK(response.result() == http::status::request_header_fields_too_large);
  CHECK(response.body() == "shape[header_too_large|request header is larger than 16 KiB]");
  CHECK_FALSE(response.keep_alive());
  CHECK(app.requests == 0);
}

TEST_CASE("a malformed HTTP request closes the connection without an answer") {
  TestApp app;
  testing::HttpTestPair pair(app);
  pair.send("NOT HTTP AT ALL\r\n\r\n");
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  CHECK(pair.received().empty());
  CHECK(app.requests == 0);
  REQUIRE(pair.run_until([&] { return pair.session() == nullptr; }));
}

TEST_CASE("a connection that sends no request is closed at the first-request deadline") {
  TestApp app;
  transport::HttpSessionLimits limits;
  limits.first_request_timeout = 50ms;
  testing::HttpTestPair pair(app, limits);
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  CHECK(pair.received().empty());
}

TEST_CASE("an idle keep-alive HTTP connection is closed at its idle deadline") {
  TestApp app;
  transport::HttpSessionLimits limits;
  limits.idle_timeout = 50ms;
  testing::HttpTestPair pair(app, limits);
  pair.send(get("/once"));
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  REQUIRE(pair.responses().size() == 1);
  CHECK(pair.responses()[0].keep_alive());
  REQUIRE(pair.run_until([&] { return pair.session() == nullptr; }));
}

TEST_CASE("an idle HTTP connection is closed at its end of life, before its idle deadline") {
  TestApp app;
  transport::HttpSessionLimits limits;
  limits.idle_timeout = 1h;
  limits.end_of_life = std::chrono::steady_clock::now() + 200ms;
  testing::HttpTestPair pair(app, limits);
  pair.send(get("/early"));
  REQUIRE(pair.run_until([&] { return pair.responses().size() == 1; }));
  // Whether the response went before the end of life or not, no wait runs past it.
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
}

TEST_CASE("an accepted upgrade hands the stream and the request to the WebSocket path") {
  TestApp app;
  testing::HttpTestPair pair(app);
  pair.send(testing::websocket_upgrade_request());
  REQUIRE(pair.run_until([&] { return pair.upgrade().has_value(); }));
  auto& upgrade = *pair.upgrade();
  CHECK(upgrade.request.target() == "/agent/v1");
  CHECK(upgrade.request[http::field::sec_websocket_key] == "dGhlIHNhbXBsZSBub25jZQ==");
  CHECK(upgrade.handler != nullptr);
  CHECK(app.upgrade_requests == 1);
  CHECK(app.requests == 0);
  // The HTTP session answered nothing (the WebSocket handshake does), and the stream it
  // handed over is the connection to the peer.
  boost::asio::write(upgrade.stream, boost::asio::buffer(std::string_view("from the websocket")));
  REQUIRE(pair.run_until([&] { return !pair.received().empty(); }));
  CHECK(pair.received() == "from the websocket");
  CHECK_FALSE(pair.peer_closed());
}

TEST_CASE("an upgrade the application refuses is answered with its refusal and closes") {
  TestApp app;
  app.upgrades = TestApp::Upgrades::kRefuse;
  testing::HttpTestPair pair(app);
  pair.send(testing::websocket_upgrade_request());
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  REQUIRE(pair.responses().size() == 1);
  CHECK(pair.responses()[0].result() == http::status::forbidden);
  CHECK(pair.responses()[0].body() == "not you");
  CHECK_FALSE(pair.responses()[0].keep_alive());
  CHECK_FALSE(pair.upgrade().has_value());
}

TEST_CASE("an upgrade with no decision by the deadline closes the connection") {
  TestApp app;
  app.upgrades = TestApp::Upgrades::kNeverDecide;
  transport::HttpSessionLimits limits;
  limits.idle_timeout = 50ms;
  testing::HttpTestPair pair(app, limits);
  pair.send(testing::websocket_upgrade_request());
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  CHECK(pair.received().empty());
  // A decision after the deadline finds the connection closed and hands nothing over.
  REQUIRE(app.pending);
  transport::UpgradeDecision late;
  late.handler = std::make_unique<NullHandler>();
  app.pending(std::move(late));
  app.pending = nullptr;
  REQUIRE(pair.run_until([&] { return pair.session() == nullptr; }));
  CHECK_FALSE(pair.upgrade().has_value());
}

TEST_CASE(
    "an upgrade on a listener without WebSockets is refused with 404 in the "
    "application's error shape") {
  TestApp app;
  transport::HttpSessionLimits limits;
  limits.accept_websockets = false;
  testing::HttpTestPair pair(app, limits);
  pair.send(testing::websocket_upgrade_request());
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  REQUIRE(pair.responses().size() == 1);
  CHECK(pair.responses()[0].result() == http::status::not_found);
  CHECK(pair.responses()[0].body() ==
        "shape[not_found|agents connect to the agent listener, not this one]");
  CHECK(app.upgrade_requests == 0);
}

TEST_CASE("a handler that throws is answered with 500 in the application's error shape") {
  TestApp app;
  testing::HttpTestPair pair(app);
  pair.send(get("/throw"));
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  REQUIRE(pair.responses().size() == 1);
  CHECK(pair.responses()[0].result() == http::status::internal_server_error);
  CHECK(pair.responses()[0].body() == "shape[internal|internal error]");
}

TEST_CASE("closing an HTTP session from outside ends its connection (revocation)") {
  TestApp app;
  testing::HttpTestPair pair(app);
  pair.send(get("/one"));
  REQUIRE(pair.run_until([&] { return pair.responses().size() == 1; }));
  pair.session()->close();
  REQUIRE(pair.run_until([&] { return pair.peer_closed(); }));
  REQUIRE(pair.run_until([&] { return pair.session() == nullptr; }));
}
