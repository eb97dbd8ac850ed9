// Agent sessions against a real collector, played by raw WebSocket clients holding a real
// device certificate: revocation reaches every socket of a device, hello or not; a session
// that never says hello does not live on; one device has one session.

#include <poll.h>

#include <chrono>

#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "shared/protocol/codec.hpp"
#include "shared/protocol/version.hpp"
#include "shared/transport/tls_context.hpp"
#include "tests/integration/ws_probe.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage;
using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

std::string hello_frame() {
  v1::AgentMessage hello;
  hello.mutable_hello()->set_protocol_min(protocol::kProtocolMin);
  hello.mutable_hello()->set_protocol_max(protocol::kProtocolMax);
  hello.mutable_hello()->set_agent_version("probe");
  hello.mutable_hello()->mutable_facts()->set_hostname("probe");
  return protocol::encode(hello);
}

bool received_hello_ack(const WsProbe& probe) {
  for (const auto& frame : probe.received) {
    auto message = protocol::decode_collector_message(frame);
    if (message && message->has_hello_ack()) return true;
  }
  return false;
}

// A deadline long enough that only revocation can explain a close.
const std::string kNoDeadlines = "[limits]\nhello_timeout_ms = 600000\n";

}  // namespace

TEST_CASE("a revoked device's connection that never said hello is closed", "[integration]") {
  CollectorFixture collector(kNoDeadlines);
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  auto tls = agent.device_tls();
  WsProbe probe(*tls, collector.port());
  probe.connect();
  REQUIRE(probe.opened);

  auto revoke = collector.post("/api/v1/devices/" + agent.device_id() + "/revoke", {},
                               collector.admin_token());
  REQUIRE(revoke.status == 200);
  REQUIRE(probe.run_until([&] { return probe.closed; }, 10s));
  CHECK_THAT(probe.close_reason, Catch::Contains("4003") && Catch::Contains("revoked"));
}

TEST_CASE("a revoked device's TLS connection that sent no request yet is closed", "[integration]") {
  CollectorFixture collector("[limits]\nhandshake_timeout_ms = 60000\n");
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  auto tls = agent.device_tls();
  boost::asio::io_context ioc;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(ioc, *tls);
  stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), collector.port()});
  stream.handshake(boost::asio::ssl::stream_base::client);
  // The handshake is done on our side; the collector has tracked the socket once it answers
  // an API call made after it (its handshake completes before it reads anything).
  auto revoke = collector.post("/api/v1/devices/" + agent.device_id() + "/revoke", {},
                               collector.admin_token());
  REQUIRE(revoke.status == 200);
  // The collector's own handshake timeout is 60 s: a close within 10 s is the revocation's.
  pollfd p{stream.next_layer().native_handle(), POLLIN, 0};
  REQUIRE(::poll(&p, 1, 10'000) == 1);
  char byte = 0;
  boost::system::error_code ec;
  stream.read_some(boost::asio::buffer(&byte, 1), ec);
  INFO(ec.message());
  CHECK(ec);
}

TEST_CASE("a connection that does not say hello within the deadline is closed", "[integration]") {
  CollectorFixture collector("[limits]\nhello_timeout_ms = 1000\n");
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  auto tls = agent.device_tls();
  WsProbe probe(*tls, collector.port());
  probe.connect();
  REQUIRE(probe.opened);
  // Beast answers pings on its own, so only the hello deadline can end this silent session.
  REQUIRE(probe.run_until([&] { return probe.closed; }, 15s));
  CHECK_THAT(probe.close_reason, Catch::Contains("1008") && Catch::Contains("no hello"));

  // A well-behaved agent is not affected.
  agent.start();
  CHECK(eventually([&] { return device_online(collector, agent.device_id()); }));
}

TEST_CASE("a device revoked while its connection waits for hello is refused at hello",
          "[integration]") {
  CollectorFixture collector(kNoDeadlines);
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  auto tls = agent.device_tls();
  WsProbe probe(*tls, collector.port());
  probe.connect();
  REQUIRE(probe.opened);
  // The CLI writes the database only: the serving collector learns of it at the hello.
  auto revoke = collector.cli({"device", "revoke", agent.device_id()});
  REQUIRE(revoke.exit_code == 0);
  probe.connection->send(hello_frame());
  REQUIRE(probe.run_until([&] { return probe.closed; }, 10s));
  CHECK_THAT(probe.close_reason, Catch::Contains("4003"));
  CHECK_FALSE(received_hello_ack(probe));
  REQUIRE_FALSE(probe.received.empty());
  auto refusal = protocol::decode_collector_message(probe.received.back());
  REQUIRE(refusal);
  CHECK(refusal->refusal().reason() == v1::Refusal::DEVICE_REVOKED);
  CHECK_FALSE(device_online(collector, agent.device_id()));
}

TEST_CASE("a second session of one device replaces the first", "[integration]") {
  CollectorFixture collector(kNoDeadlines);
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  auto tls = agent.device_tls();
  WsProbe first(*tls, collector.port());
  first.connect();
  REQUIRE(first.opened);
  first.connection->send(hello_frame());
  REQUIRE(first.run_until([&] { return received_hello_ack(first); }));

  WsProbe second(*tls, collector.port());
  second.connect();
  REQUIRE(second.opened);
  second.connection->send(hello_frame());
  REQUIRE(second.run_until([&] { return received_hello_ack(second); }));

  REQUIRE(first.run_until([&] { return first.closed; }, 10s));
  CHECK_THAT(first.close_reason, Catch::Contains("4009") && Catch::Contains("replaced"));
  CHECK_FALSE(second.closed);
  CHECK(device_online(collector, agent.device_id()));
}
