// The staff listener (`staff_listen`): the same API, console and /metrics on a second port
// that refuses agents and has its own TLS handshake gate, so operators keep their view while
// thousands of agents queue at the agent port.

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "shared/transport/https_client.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage;
using namespace triage::testing;
using namespace std::chrono_literals;
namespace http = transport::http;

namespace {

Result<transport::HttpResponse> request_on(CollectorFixture& c, std::uint16_t port,
                                           transport::HttpRequest req,
                                           std::chrono::milliseconds timeout = 15s) {
  auto tls = transport::make_client_tls_context({c.ca_pem(), "", ""});
  REQUIRE(tls);
  req.prepare_payload();
  transport::HttpsRequestOptions options;
  options.timeout = timeout;
  return transport::https_request(**tls, "127.0.0.1", std::to_string(port), std::move(req),
                                  options);
}

transport::HttpRequest websocket_upgrade() {
  transport::HttpRequest req{http::verb::get, "/agent/v1", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  return req;
}

}  // namespace

TEST_CASE("the staff listener serves the API and metrics and refuses agents", "[integration]") {
  CollectorFixture c("staff_listen = \"127.0.0.1:0\"\n");
  REQUIRE(c.staff_port() != 0);
  REQUIRE(c.staff_port() != c.port());

  auto health = request_on(c, c.staff_port(), {http::verb::get, "/healthz", 11});
  REQUIRE(health);
  CHECK(health->result() == http::status::ok);
  transport::HttpRequest metrics_request{http::verb::get, "/metrics", 11};
  metrics_request.set(http::field::authorization, "Bearer " + c.metrics_token());
  auto metrics = request_on(c, c.staff_port(), metrics_request);
  REQUIRE(metrics);
  CHECK(metrics->body().find("triage_connected_agents") != std::string::npos);

  // A staff login made on the staff port works on the API there.
  const auto token = c.admin_token();
  transport::HttpRequest devices{http::verb::get, "/api/v1/devices", 11};
  devices.set(http::field::authorization, "Bearer " + token);
  auto listed = request_on(c, c.staff_port(), devices);
  REQUIRE(listed);
  CHECK(listed->result() == http::status::ok);

  auto upgrade = request_on(c, c.staff_port(), websocket_upgrade());
  REQUIRE(upgrade);
  CHECK(upgrade->result() == http::status::not_found);
  auto body = nlohmann::json::parse(upgrade->body(), nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body["error"]["message"].get<std::string>().find("agent listener") != std::string::npos);

  // A real agent enrolls and connects on the agent port as before.
  AgentFixture agent(c, "a1");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start();
  CHECK(eventually([&] { return device_online(c, agent.device_id()); }));
}

TEST_CASE("staff requests are served while the agent port's handshake gate is full",
          "[integration]") {
  // One handshake at a time on each listener, and a long handshake timeout: a connection
  // that sent the first bytes of a ClientHello and then stalls holds the agent port's only
  // place for 30 s, and anything behind it waits in that queue.
  CollectorFixture c(
      "staff_listen = \"127.0.0.1:0\"\n"
      "[limits]\nmax_concurrent_handshakes = 1\nhandshake_timeout_ms = 30000\n");
  REQUIRE(c.staff_port() != 0);
  boost::asio::io_context ioc;
  std::vector<boost::asio::ip::tcp::socket> stalled;
  // A TLS handshake record header announcing 512 bytes, of which none follow.
  const unsigned char partial_hello[] = {0x16, 0x03, 0x01, 0x02, 0x00};
  for (int i = 0; i < 3; ++i) {
    stalled.emplace_back(ioc);
    stalled.back().connect({boost::asio::ip::make_address("127.0.0.1"), c.port()});
    boost::asio::write(stalled.back(), boost::asio::buffer(partial_hello));
  }
  // The gate is held: a request on the agent port waits behind the stalled handshakes.
  auto queued = request_on(c, c.port(), {http::verb::get, "/healthz", 11}, 2s);
  CHECK_FALSE(queued);
  // The staff port has its own gate and answers at once.
  auto staff = request_on(c, c.staff_port(), {http::verb::get, "/healthz", 11}, 5s);
  REQUIRE(staff);
  CHECK(staff->result() == http::status::ok);
}
