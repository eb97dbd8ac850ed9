// Leadership of background jobs on PostgreSQL: two nodes' Leadership objects for one job on
// one real database, one leads; when the leader's connection goes (the node is gone, or the
// server ended its session), the other takes the lead. SQLite's one process always leads.

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "collector/storage/open_store.hpp"
#include "collector/storage/postgres/pg_connection.hpp"
#include "collector/storage/postgres/pg_leadership.hpp"
#include "tests/support/postgres_server.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

// Every is_leader() of a follower tries again: the tests need no waiting between tries.
constexpr PgLeadershipOptions kTryEachTime{.retry = 0ms};

bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST_CASE("postgres leadership: of two nodes one leads a job, and the other once the leader goes",
          "[storage][pg][leadership]") {
  const auto conninfo = testing::PostgresServer::shared().create_database();
  auto first = std::make_unique<PgLeadership>(conninfo, "order expiry sweep", kTryEachTime);
  PgLeadership second(conninfo, "order expiry sweep", kTryEachTime);
  CHECK(first->is_leader());
  CHECK_FALSE(second.is_leader());
  CHECK(first->is_leader());
  CHECK_FALSE(second.is_leader());

  // Another job is led on its own: one node may lead one job and another the next.
  PgLeadership retention(conninfo, "retention", kTryEachTime);
  CHECK(retention.is_leader());

  // The leading node is gone (its process ends without a word: the connection closes).
  first.reset();
  CHECK(eventually([&] { return second.is_leader(); }));
  CHECK(second.is_leader());
}

TEST_CASE("postgres leadership: a leader whose session ends loses the lead to the other node",
          "[storage][pg][leadership]") {
  const auto conninfo = testing::PostgresServer::shared().create_database();
  PgLeadership first(conninfo, "retention", kTryEachTime);
  PgLeadership second(conninfo, "retention", kTryEachTime);
  REQUIRE(first.is_leader());
  REQUIRE_FALSE(second.is_leader());

  // The server ends the leader's session (a lost network, an administrator's terminate): the
  // session-level lock goes with it.
  auto admin = postgres::Connection::connect(conninfo);
  REQUIRE(admin);
  auto ended = (*admin)->query(
      "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks WHERE locktype = 'advisory' AND "
      "granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  if (!ended) FAIL(ended.error().message);
  REQUIRE(ended->size() == 1);
  CHECK(ended->boolean(0, 0));

  CHECK(eventually([&] { return second.is_leader(); }));
  // The former leader finds its session gone and does not lead any more.
  CHECK_FALSE(first.is_leader());
  CHECK(second.is_leader());
}

TEST_CASE("open_leadership: SQLite's one process always leads, PostgreSQL needs its url",
          "[storage][leadership]") {
  StorageConfig sqlite;
  auto one = open_leadership(sqlite, "retention");
  auto two = open_leadership(sqlite, "retention");
  REQUIRE(one);
  REQUIRE(two);
  CHECK((*one)->is_leader());
  CHECK((*two)->is_leader());
  CHECK(leads(nullptr));

  StorageConfig postgres;
  postgres.backend = "postgres";
  CHECK(open_leadership(postgres, "retention").error().code == ErrorCode::kInvalid);
  StorageConfig unknown;
  unknown.backend = "mysql";
  CHECK(open_leadership(unknown, "retention").error().code == ErrorCode::kInvalid);
}

TEST_CASE("open_leadership: PostgreSQL nodes from one config share each job's lead",
          "[storage][pg][leadership]") {
  StorageConfig config;
  config.backend = "postgres";
  config.url = testing::PostgresServer::shared().create_database();
  auto node_a = open_leadership(config, "rt status poller");
  auto node_b = open_leadership(config, "rt status poller");
  REQUIRE(node_a);
  REQUIRE(node_b);
  CHECK((*node_a)->is_leader());
  CHECK_FALSE((*node_b)->is_leader());
  CHECK(PgLeadership::lock_key("rt status poller") != PgLeadership::lock_key("retention"));
}
