// PostgresStore's own behaviour (the contract suite covers what every backend promises):
// migrations, the areas not ported yet, and running a transaction again after a deadlock.

#include <catch2/catch.hpp>

#include <atomic>
#include <barrier>
#include <thread>

#include "collector/storage/postgres/postgres_schema.hpp"
#include "collector/storage/postgres/postgres_store.hpp"
#include "tests/collector/storage/contract/contract_fixtures.hpp"
#include "tests/support/postgres_server.hpp"

using namespace triage;
using namespace triage::collector;
using namespace triage::collector::contract;

namespace {

std::unique_ptr<PostgresStore> open_pg(const std::string& conninfo) {
  auto store = PostgresStore::open(conninfo);
  if (!store) FAIL(store.error().message);
  return std::move(*store);
}

}  // namespace

TEST_CASE("postgres store: migrations are recorded once, and reopening applies none",
          "[storage][pg]") {
  const auto conninfo = testing::PostgresServer::shared().create_database();
  const int latest = static_cast<int>(postgres_schema::kMigrations.size());
  {
    auto store = open_pg(conninfo);
    CHECK(store->schema_version() == latest);
    REQUIRE(store->write([](WriteTx& tx) {
      return tx.devices().insert_enrollment_token(enrollment_token("t1", 1));
    }));
  }
  auto again = open_pg(conninfo);
  CHECK(again->schema_version() == latest);
  CHECK(again->read().devices().list_enrollment_tokens().value().size() == 1);
}

TEST_CASE("postgres store: an area not ported yet fails cleanly, naming the backend",
          "[storage][pg]") {
  auto store = open_pg(testing::PostgresServer::shared().create_database());
  auto ticket = store->read().tickets().find_ticket(1);
  REQUIRE_FALSE(ticket);
  CHECK(ticket.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(ticket.error().message,
             Catch::Contains("not yet supported by the PostgreSQL backend"));
  // The failed call ended nothing: the store still writes.
  CHECK(store->write(
      [](WriteTx& tx) { return tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); }));
}

TEST_CASE("postgres store: a write transaction that deadlocks runs again and succeeds",
          "[storage][pg]") {
  auto store = open_pg(testing::PostgresServer::shared().create_database());
  REQUIRE(store->write([](WriteTx& tx) -> Result<void> {
    if (auto r = tx.devices().insert_enrollment_token(enrollment_token("t1", 2)); !r) return r;
    for (const char* id : {"d0", "d1"}) {
      if (auto r = tx.devices().enroll_device("hash-t1", device(id), at(1)); !r) {
        return tl::unexpected(r.error());
      }
    }
    return {};
  }));
  // Each writer locks one device row, waits until the other holds its own, then wants the
  // other's: PostgreSQL ends one of them with a deadlock (40P01), which run_write() retries.
  std::barrier both_hold(2);
  std::atomic<int> attempts{0};
  auto writer = [&](int i) {
    bool first_attempt = true;
    return store->write([&](WriteTx& tx) -> Result<void> {
      attempts.fetch_add(1);
      const std::string mine = "d" + std::to_string(i);
      const std::string theirs = "d" + std::to_string(1 - i);
      if (auto r = tx.devices().touch_device(mine, at(10 + i)); !r) return r;
      if (first_attempt) {
        first_attempt = false;
        both_hold.arrive_and_wait();
      }
      return tx.devices().touch_device(theirs, at(10 + i));
    });
  };
  Result<void> results[2];
  std::thread other([&] { results[1] = writer(1); });
  results[0] = writer(0);
  other.join();
  CHECK(results[0]);
  CHECK(results[1]);
  // At least one ran again; both may have (each backend's deadlock check can fire before the
  // other's abort releases its lock).
  CHECK(attempts.load() >= 3);
}
