// LocalAgentChannel: this node's sessions as the rest of the collector reaches them (send,
// broadcast, online, where, disconnect) and as sessions register themselves (attach, detach,
// track).

#include <catch2/catch.hpp>

#include "collector/channel/local_agent_channel.hpp"
#include "tests/support/fake_websocket_connection.hpp"

using namespace triage;
using namespace triage::collector;

namespace {

using FakeConnection = testing::FakeWebSocketConnection;

v1::CollectorMessage snapshot_request(const std::string& id) {
  v1::CollectorMessage message;
  message.mutable_snapshot_request()->set_request_id(id);
  return message;
}

v1::CollectorMessage decoded(const std::string& frame) {
  v1::CollectorMessage message;
  REQUIRE(message.ParseFromString(frame));
  return message;
}

}  // namespace

TEST_CASE(
    "a message to an online device reaches its connection, one to an offline device is not sent") {
  LocalAgentChannel channel("node-a");
  auto conn = std::make_shared<FakeConnection>();
  CHECK(channel.send("dev-1", snapshot_request("r0")) == Delivery::kOffline);
  CHECK_FALSE(channel.is_online("dev-1"));

  CHECK(channel.attach("dev-1", 1, conn) == nullptr);
  CHECK(channel.is_online("dev-1"));
  CHECK(channel.send("dev-1", snapshot_request("r1")) == Delivery::kQueued);
  REQUIRE(conn->frames.size() == 1);
  CHECK(decoded(conn->frames[0]).snapshot_request().request_id() == "r1");
  CHECK(channel.send("dev-2", snapshot_request("r2")) == Delivery::kOffline);

  conn->accepts = false;  // not keeping up
  CHECK(channel.send("dev-1", snapshot_request("r3")) == Delivery::kDropped);
  CHECK(conn->frames.size() == 1);
}

TEST_CASE("locate names the node, the session and the agent's address of an online device") {
  LocalAgentChannel channel("node-a");
  CHECK_FALSE(channel.locate("dev-1"));
  const auto before = std::chrono::system_clock::now();
  channel.attach("dev-1", 42, std::make_shared<FakeConnection>("192.0.2.7:5555"));
  auto where = channel.locate("dev-1");
  REQUIRE(where);
  CHECK(where->node == "node-a");
  CHECK(where->session_id == 42);
  CHECK(where->remote_address == "192.0.2.7:5555");
  CHECK(where->since >= before);
}

TEST_CASE("a newer session replaces the older one, whose late detach leaves the device online") {
  LocalAgentChannel channel("node-a");
  auto first = std::make_shared<FakeConnection>();
  auto second = std::make_shared<FakeConnection>();
  channel.attach("dev-1", 1, first);
  CHECK(channel.attach("dev-1", 2, second) == first);
  channel.detach("dev-1", 1);
  CHECK(channel.is_online("dev-1"));
  CHECK(channel.locate("dev-1")->session_id == 2);
  CHECK(channel.send("dev-1", snapshot_request("r")) == Delivery::kQueued);
  CHECK(first->frames.empty());
  CHECK(second->frames.size() == 1);
  channel.detach("dev-1", 2);
  CHECK_FALSE(channel.is_online("dev-1"));
}

TEST_CASE("a broadcast is queued for every online device and counts those that took it") {
  LocalAgentChannel channel("node-a");
  auto a = std::make_shared<FakeConnection>();
  auto b = std::make_shared<FakeConnection>();
  auto full = std::make_shared<FakeConnection>();
  full->accepts = false;
  channel.attach("dev-a", 1, a);
  channel.attach("dev-b", 2, b);
  channel.attach("dev-full", 3, full);
  CHECK(channel.broadcast(snapshot_request("all")) == 2);
  CHECK(a->frames.size() == 1);
  CHECK(b->frames.size() == 1);
  CHECK(full->frames.empty());
}

TEST_CASE("disconnect closes the device's session and every socket tracked under it, no other") {
  LocalAgentChannel channel("node-a");
  auto online = std::make_shared<FakeConnection>();
  auto other = std::make_shared<FakeConnection>();
  channel.attach("dev-1", 1, online);
  channel.attach("dev-2", 2, other);
  std::vector<transport::CloseCode> before_hello;
  auto tracked = channel.track("dev-1", [&](transport::CloseCode code, const std::string&) {
    before_hello.push_back(code);
  });
  auto tracked_other = channel.track("dev-2", [&](transport::CloseCode, const std::string&) {
    FAIL("another device's socket was closed");
  });
  CHECK(channel.tracked_count("dev-1") == 1);

  channel.disconnect("dev-1", transport::CloseCode::kRevoked, "device revoked");
  CHECK(online->closed_with == transport::CloseCode::kRevoked);
  CHECK(before_hello == std::vector<transport::CloseCode>{transport::CloseCode::kRevoked});
  CHECK_FALSE(other->closed_with);

  tracked.reset();  // the socket ended: no longer tracked
  CHECK(channel.tracked_count("dev-1") == 0);
  CHECK(channel.tracked_count("dev-2") == 1);
}
