// AgentSession over the transport's real WebSocket session and a test stream (no sockets):
// the hello and its answer, refusals, the frame size limit, revocation, and back-pressure
// from reports waiting for commit.

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>

#include "collector/channel/local_agent_channel.hpp"
#include "collector/ingest/ingest_writer.hpp"
#include "collector/metrics/collector_metrics.hpp"
#include "collector/server/agent_session.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/protocol/codec.hpp"
#include "shared/protocol/version.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/websocket_test_pair.hpp"

using namespace std::chrono_literals;
using namespace triage;
using namespace triage::collector;

namespace {

const std::string kDevice = "dev-1";
const std::string kCertificate(64, 'a');

// One enrolled device, the collector's services, and one connection of the device.
struct AgentWorld {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  LocalAgentChannel agents{"test-node"};
  CollectorMetrics metrics;
  std::unique_ptr<IngestWriter> writer;
  std::unique_ptr<testing::WebSocketTestPair> pair;

  explicit AgentWorld(AgentSessionSettings settings = {}, transport::WebSocketLimits limits = {}) {
    store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
    const auto now = std::chrono::system_clock::now();
    EnrollmentToken token;
    token.id = "t";
    token.token_hash = "h";
    token.created_at = now;
    token.expires_at = now + 1h;
    token.max_uses = 5;
    REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token); }));
    Device device;
    device.id = kDevice;
    device.certificate_sha256 = kCertificate;
    device.enrolled_at = now;
    REQUIRE(
        store->write([&](WriteTx& tx) { return tx.devices().enroll_device("h", device, now); }));
    writer = std::make_unique<IngestWriter>(*store, IngestOptions{}, &metrics);
    AgentSessionServices services{*store, agents, *writer, metrics};
    pair = std::make_unique<testing::WebSocketTestPair>(
        std::make_unique<AgentSession>(kDevice, kCertificate, services, settings), limits);
  }
  ~AgentWorld() {
    // The writer's completions post to the session: they end before the connection goes.
    writer->stop();
    pair.reset();
  }

  void send(const v1::AgentMessage& message) { pair->send(protocol::encode(message)); }

  void say_hello() {
    v1::AgentMessage hello;
    hello.mutable_hello()->set_protocol_min(protocol::kProtocolMin);
    hello.mutable_hello()->set_protocol_max(protocol::kProtocolMax);
    hello.mutable_hello()->set_agent_version("test");
    hello.mutable_hello()->mutable_facts()->set_hostname("pc-1");
    send(hello);
  }

  /// The collector's `index`-th message to the agent, once it arrived.
  v1::CollectorMessage received(std::size_t index) {
    REQUIRE(pair->run_until([&] { return pair->received().size() > index; }));
    auto message = protocol::decode_collector_message(pair->received()[index], 1 << 20);
    REQUIRE(message);
    return *message;
  }
};

v1::AgentMessage snapshot_report(std::uint64_t seq) {
  v1::AgentMessage report;
  report.set_seq(seq);
  report.mutable_snapshot()->mutable_snapshot()->set_schema_version(1);
  return report;
}

}  // namespace

TEST_CASE("an agent's hello is answered with a HelloAck and the device is online") {
  AgentWorld world;
  world.say_hello();
  auto ack = world.received(0);
  REQUIRE(ack.has_hello_ack());
  CHECK(ack.hello_ack().device_id() == kDevice);
  CHECK(ack.hello_ack().protocol_version() == protocol::kProtocolMax);
  CHECK(ack.hello_ack().want_full_snapshot());
  REQUIRE(world.pair->run_until([&] { return world.agents.is_online(kDevice); }));
}

TEST_CASE("an agent whose first message is not a hello is refused with 1002") {
  AgentWorld world;
  world.send(snapshot_report(1));
  auto refusal = world.received(0);
  REQUIRE(refusal.has_refusal());
  CHECK(refusal.refusal().reason() == v1::Refusal::MALFORMED_MESSAGE);
  REQUIRE(world.pair->run_until([&] { return world.pair->peer_closed(); }));
  CHECK(world.pair->close_code() == 1002);
  CHECK_FALSE(world.agents.is_online(kDevice));
}

TEST_CASE("an agent that sends no hello by the deadline is closed with 1008") {
  transport::WebSocketLimits limits;
  limits.authentication_timeout = 50ms;
  limits.authentication_deadline = std::chrono::steady_clock::now() + 50ms;
  AgentWorld world({}, limits);
  REQUIRE(world.pair->run_until([&] { return world.pair->peer_closed(); }));
  CHECK(world.pair->close_code() == 1008);
  REQUIRE(world.pair->run_until([&] { return world.agents.tracked_count(kDevice) == 0; }));
}

TEST_CASE("an agent frame over the session's size limit is refused and closes the connection") {
  AgentSessionSettings settings;
  settings.max_message_bytes = 1024;
  AgentWorld world(settings);
  world.say_hello();
  REQUIRE(world.received(0).has_hello_ack());
  v1::AgentMessage big;
  big.mutable_heartbeat();
  big.set_seq(0);
  std::string frame = protocol::encode(big);
  frame.append(2048, '\0');  // padding the decoder never reaches: the size alone refuses it
  world.pair->send(frame);
  auto refusal = world.received(1);
  REQUIRE(refusal.has_refusal());
  CHECK(refusal.refusal().reason() == v1::Refusal::MALFORMED_MESSAGE);
  REQUIRE(world.pair->run_until([&] { return world.pair->peer_closed(); }));
  CHECK(world.pair->close_code() == 1002);
}

TEST_CASE("revoking a device closes its session with 4003, before and after its hello") {
  const bool after_hello = GENERATE(false, true);
  AgentWorld world;
  if (after_hello) {
    world.say_hello();
    REQUIRE(world.received(0).has_hello_ack());
    REQUIRE(world.pair->run_until([&] { return world.agents.is_online(kDevice); }));
  } else {
    REQUIRE(world.pair->run_until([&] { return world.agents.tracked_count(kDevice) == 1; }));
  }
  world.agents.disconnect(kDevice, transport::CloseCode::kRevoked, "device dev-1 was revoked");
  REQUIRE(world.pair->run_until([&] { return world.pair->peer_closed(); }));
  CHECK(world.pair->close_code() == 4003);
  CHECK(world.pair->close_reason() == "device dev-1 was revoked");
  REQUIRE(world.pair->run_until([&] { return world.agents.tracked_count(kDevice) == 0; }));
  CHECK_FALSE(world.agents.is_online(kDevice));
}

TEST_CASE("a device revoked after its connection was accepted is refused at hello") {
  AgentWorld world;
  REQUIRE(world.store->write([&](WriteTx& tx) {
    return tx.devices().revoke_device(kDevice, std::chrono::system_clock::now());
  }));
  world.say_hello();
  auto refusal = world.received(0);
  REQUIRE(refusal.has_refusal());
  CHECK(refusal.refusal().reason() == v1::Refusal::DEVICE_REVOKED);
  REQUIRE(world.pair->run_until([&] { return world.pair->peer_closed(); }));
  CHECK(world.pair->close_code() == 4003);
  CHECK_FALSE(world.agents.is_online(kDevice));
}

TEST_CASE("reports beyond the agent's in-flight limit wait and are all acknowledged in order") {
  AgentSessionSettings settings;
  settings.max_in_flight = 2;  // reading pauses at 2 waiting for commit, resumes below 1
  AgentWorld world(settings);
  world.say_hello();
  REQUIRE(world.received(0).has_hello_ack());
  for (std::uint64_t seq = 1; seq <= 5; ++seq) world.send(snapshot_report(seq));
  std::vector<std::uint64_t> acked;
  for (std::size_t i = 1; acked.size() < 5; ++i) {
    auto message = world.received(i);
    if (!message.has_ack()) continue;
    for (const auto& entry : message.ack().entries()) {
      CHECK(entry.status() == v1::Ack::STORED);
      acked.push_back(entry.seq());
    }
  }
  CHECK(acked == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  CHECK_FALSE(world.pair->peer_closed());
}
