// PgAgentChannel: several collector nodes on one real PostgreSQL (tests/support/
// postgres_server.hpp), each a channel in this process with fake agent sockets. Presence
// (leases, which node holds a device) and messages relayed through LISTEN/NOTIFY.

#include <catch2/catch.hpp>

#include <mutex>
#include <tuple>
#include <vector>

#include "collector/channel/postgres/pg_agent_channel.hpp"
#include "collector/storage/postgres/pg_connection.hpp"
#include "collector/storage/postgres/postgres_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/fake_websocket_connection.hpp"
#include "tests/support/postgres_server.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;
using testing::eventually;
using FakeConnection = testing::FakeWebSocketConnection;

namespace {

/// A fresh database with the collector's schema.
std::string migrated_database() {
  const auto conninfo = testing::PostgresServer::shared().create_database();
  auto store = PostgresStore::open(conninfo);
  if (!store) FAIL(store.error().message);
  return conninfo;
}

std::unique_ptr<PgAgentChannel> node(const std::string& conninfo, const std::string& name,
                                     std::chrono::milliseconds lease = 15s,
                                     std::chrono::milliseconds renew = 5s) {
  auto channel = PgAgentChannel::start(conninfo, ClusterSettings{name, lease, renew});
  if (!channel) FAIL(channel.error().message);
  return std::move(*channel);
}

/// Attaches `conn` as the device's session on `channel` and waits until every node can see it.
void attach(PgAgentChannel& channel, const std::string& device, std::uint64_t session,
            const std::shared_ptr<FakeConnection>& conn) {
  const auto written = channel.presence_writes();
  CHECK(channel.attach(device, session, conn) == nullptr);
  REQUIRE(eventually([&] { return channel.presence_writes() > written; }, 10s));
}

/// The node `channel` says holds the device's session ("" when offline).
std::string node_of(const PgAgentChannel& channel, const std::string& device) {
  const auto where = channel.locate(device);
  return where ? where->node : "";
}

v1::CollectorMessage snapshot_request(const std::string& id) {
  v1::CollectorMessage message;
  message.mutable_snapshot_request()->set_request_id(id);
  return message;
}

std::string request_id(const std::string& frame) {
  v1::CollectorMessage message;
  REQUIRE(message.ParseFromString(frame));
  return message.snapshot_request().request_id();
}

/// Node b holds dev-1's session (session 3) under a live lease, and nothing of b runs: as a
/// node killed before its lease ran out.
void dead_node_b_holds_dev1(const std::string& conninfo) {
  auto conn = postgres::Connection::connect(conninfo);
  REQUIRE(conn);
  auto done = (*conn)->exec(
      "INSERT INTO collector_nodes VALUES ('b', '', 0, triage_now_ms() + 60000);"
      "INSERT INTO device_sessions VALUES ('dev-1', 'b', 3, '', 0)");
  if (!done) FAIL(done.error().message);
}

/// Nodes a and b on a fresh database, both listening.
struct TwoNodes {
  std::string db = migrated_database();
  std::unique_ptr<PgAgentChannel> a = node(db, "a");
  std::unique_ptr<PgAgentChannel> b = node(db, "b");
  TwoNodes() {
    REQUIRE(eventually([&] { return a->listening() && b->listening(); }, 10s));
  }
};

}  // namespace

TEST_CASE(
    "cluster presence: a device on node b is online on node a with b as its node, and "
    "offline once b stops renewing its lease, with no cleanup by b",
    "[channel][pg]") {
  const auto db = migrated_database();
  auto a = node(db, "a");
  // b renews never: after its first lease (3 s) it is as dead as a node killed with -9.
  auto b = node(db, "b", 3s, 1h);
  auto conn = std::make_shared<FakeConnection>("192.0.2.7:50000");
  attach(*b, "dev-1", 7, conn);

  auto where = a->locate("dev-1");
  REQUIRE(where);
  CHECK(where->node == "b");
  CHECK(where->session_id == 7);
  CHECK(where->remote_address == "192.0.2.7:50000");
  CHECK(a->is_online("dev-1"));
  CHECK_FALSE(a->is_online("dev-2"));
  // A listing's look-up: one read for every device not on this node.
  const auto each = a->locate_each({"dev-2", "dev-1"});
  REQUIRE(each.size() == 2);
  CHECK_FALSE(each[0]);
  REQUIRE(each[1]);
  CHECK(each[1]->node == "b");

  CHECK(eventually([&] { return !a->is_online("dev-1"); }, 20s));
  CHECK_FALSE(a->locate("dev-1"));
  CHECK(b->is_online("dev-1"));  // b itself still holds the session
}

TEST_CASE("cluster presence: a node that restarts deletes the sessions its previous run left",
          "[channel][pg]") {
  const auto db = migrated_database();
  auto a = node(db, "a");
  dead_node_b_holds_dev1(db);
  CHECK(a->is_online("dev-1"));
  auto b = node(db, "b");
  CHECK_FALSE(a->is_online("dev-1"));
}

TEST_CASE(
    "cluster channel: a message sent on node a reaches the device's session on node b, "
    "and broadcast and disconnect reach every node",
    "[channel][pg]") {
  TwoNodes nodes;
  auto& a = nodes.a;
  auto& b = nodes.b;
  auto conn = std::make_shared<FakeConnection>();
  attach(*b, "dev-1", 1, conn);

  CHECK(a->send("dev-1", snapshot_request("r1")) == Delivery::kQueued);
  REQUIRE(eventually([&] { return conn->sent().size() == 1; }, 10s));
  CHECK(request_id(conn->sent()[0]) == "r1");
  CHECK(a->send("dev-2", snapshot_request("r2")) == Delivery::kOffline);

  CHECK(a->broadcast(snapshot_request("all")) == 1);
  REQUIRE(eventually([&] { return conn->sent().size() == 2; }, 10s));
  CHECK(request_id(conn->sent()[1]) == "all");

  a->disconnect("dev-1", transport::CloseCode::kRevoked, "device revoked");
  CHECK(eventually([&] { return conn->close_code() == transport::CloseCode::kRevoked; }, 10s));
}

TEST_CASE(
    "cluster channel: what was relayed to a node that died reaches the device on the node "
    "it comes back to",
    "[channel][pg]") {
  const auto db = migrated_database();
  auto a = node(db, "a");
  dead_node_b_holds_dev1(db);  // nothing of b runs to take the message
  CHECK(a->send("dev-1", snapshot_request("order")) == Delivery::kQueued);

  auto c = node(db, "c");
  auto conn = std::make_shared<FakeConnection>();
  attach(*c, "dev-1", 1, conn);
  REQUIRE(eventually([&] { return conn->sent().size() == 1; }, 10s));
  CHECK(request_id(conn->sent()[0]) == "order");
  CHECK(node_of(*a, "dev-1") == "c");
}

TEST_CASE(
    "cluster channel: a snapshot request sent on node a and answered through node b is "
    "announced to node a, once, and nothing else is",
    "[channel][pg]") {
  TwoNodes nodes;
  auto& a = nodes.a;
  auto& b = nodes.b;
  auto conn = std::make_shared<FakeConnection>();
  attach(*b, "dev-1", 1, conn);
  using Heard = std::tuple<std::string, std::uint64_t, std::string>;
  std::mutex mutex;
  std::vector<Heard> heard;
  a->set_snapshot_listener(
      [&](const std::string& device, std::uint64_t seq, const std::string& request) {
        std::lock_guard lock(mutex);
        heard.emplace_back(device, seq, request);
      });
  auto heard_now = [&] {
    std::lock_guard lock(mutex);
    return heard;
  };

  REQUIRE(a->send("dev-1", snapshot_request("r1")) == Delivery::kQueued);
  REQUIRE(eventually([&] { return conn->sent().size() == 1; }, 10s));
  // The session's own request (a gap) was never relayed: nobody else waits for it; and another
  // device's snapshot does not answer a request sent to dev-1.
  b->snapshot_committed("dev-1", 4, "gap-3");
  b->snapshot_committed("dev-2", 9, "r1");
  b->snapshot_committed("dev-1", 5, "r1");
  REQUIRE(eventually([&] { return heard_now().size() == 1; }, 10s));
  CHECK(heard_now()[0] == Heard{"dev-1", 5, "r1"});

  // The same answer committed again (a resend) is not announced again: relayed rows come in
  // order, so the next request's answer arrives behind anything announced before it.
  b->snapshot_committed("dev-1", 5, "r1");
  REQUIRE(a->send("dev-1", snapshot_request("r2")) == Delivery::kQueued);
  REQUIRE(eventually([&] { return conn->sent().size() == 2; }, 10s));
  b->snapshot_committed("dev-1", 6, "r2");
  REQUIRE(eventually([&] { return heard_now().size() >= 2; }, 10s));
  CHECK(heard_now() == std::vector<Heard>{{"dev-1", 5, "r1"}, {"dev-1", 6, "r2"}});
}

TEST_CASE("cluster channel: a session on another node replaces the older one, which is closed",
          "[channel][pg]") {
  TwoNodes nodes;
  auto& a = nodes.a;
  auto& b = nodes.b;
  auto old_conn = std::make_shared<FakeConnection>();
  attach(*b, "dev-1", 1, old_conn);
  auto new_conn = std::make_shared<FakeConnection>();
  attach(*a, "dev-1", 1, new_conn);
  CHECK(eventually([&] { return old_conn->close_code() == transport::CloseCode::kReplaced; }, 10s));
  b->detach("dev-1", 1);  // as the closed session does when it ends
  CHECK(node_of(*b, "dev-1") == "a");
}

TEST_CASE("cluster presence: a node that stops cleanly takes its devices offline at once",
          "[channel][pg]") {
  TwoNodes nodes;
  auto& a = nodes.a;
  auto& b = nodes.b;
  attach(*b, "dev-1", 1, std::make_shared<FakeConnection>());
  CHECK(a->is_online("dev-1"));
  b->stop();
  CHECK_FALSE(a->is_online("dev-1"));
}
