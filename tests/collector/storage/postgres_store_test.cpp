// PostgresStore's own behaviour (the contract suite covers what every backend promises):
// migrations, running a transaction again after a deadlock, and the partitioned reports history.

#include <catch2/catch.hpp>

#include <atomic>
#include <barrier>
#include <thread>

#include "collector/storage/open_store.hpp"
#include "collector/storage/postgres/pg_connection.hpp"
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

TEST_CASE("postgres store: every earlier schema version migrates to the current one with its data",
          "[storage][pg]") {
  const auto latest = postgres_schema::kMigrations.size();
  for (std::size_t from = 1; from < latest; ++from) {
    DYNAMIC_SECTION("from version " << from) {
      const auto conninfo = testing::PostgresServer::shared().create_database();
      {
        // The database as an older collector left it.
        auto conn = postgres::Connection::connect(conninfo);
        if (!conn) FAIL(conn.error().message);
        REQUIRE((*conn)->exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT "
            "NULL)"));
        for (std::size_t v = 0; v < from; ++v) {
          REQUIRE((*conn)->exec(postgres_schema::kMigrations[v]));
          REQUIRE(
              (*conn)->query("INSERT INTO schema_migrations(version, applied_at) VALUES ($1, 0)",
                             static_cast<std::int64_t>(v + 1)));
        }
        REQUIRE(
            (*conn)->exec("INSERT INTO devices(id, hostname, certificate_sha256, enrolled_at) "
                          "VALUES ('d1', 'pc-1', 'x', 0)"));
      }
      auto store = open_pg(conninfo);
      CHECK(store->schema_version() == static_cast<int>(latest));
      auto device = store->read().devices().find_device("d1").value();
      REQUIRE(device);
      CHECK(device->hostname == "pc-1");
      // The newest tables are there to write to.
      LiveSession session;
      session.id = "ls-1";
      session.device_id = "d1";
      session.started_by = "alice";
      session.started_at = at(0);
      session.ends_at = at(60);
      REQUIRE(store->write([&](WriteTx& tx) { return tx.live().insert_live_session(session); }));
      CHECK(store->read().live().count_running_live_sessions(at(1)).value() == 1);
    }
  }
}

TEST_CASE("open_store: backend postgres opens the database at its url", "[storage][pg]") {
  StorageConfig config;
  config.backend = "postgres";
  config.url = testing::PostgresServer::shared().create_database();
  auto store = open_store(config, "/nonexistent/collector.db", StoreUse::kCommand);
  if (!store) FAIL(store.error().message);
  REQUIRE((*store)->write(
      [](WriteTx& tx) { return tx.devices().insert_enrollment_token(enrollment_token("t1", 1)); }));
  // Another store on the same url (another node) reads it.
  auto other = open_store(config, "/nonexistent/collector.db", StoreUse::kServer);
  if (!other) FAIL(other.error().message);
  CHECK((*other)->read().devices().list_enrollment_tokens().value().size() == 1);

  config.url.clear();
  auto no_url = open_store(config, "/nonexistent/collector.db", StoreUse::kCommand);
  REQUIRE_FALSE(no_url);
  CHECK(no_url.error().code == ErrorCode::kInvalid);
  CHECK_THAT(no_url.error().message, Catch::Contains("storage.url"));
}

TEST_CASE("postgres store: a write transaction that deadlocks runs again and succeeds",
          "[storage][pg]") {
  auto store = open_pg(testing::PostgresServer::shared().create_database());
  REQUIRE(store->write([](WriteTx& tx) { return enroll_devices(tx, {"d0", "d1"}); }));
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

namespace {

StoredReport report(const std::string& device_id, std::uint64_t seq, const std::string& kind,
                    int seconds) {
  StoredReport r;
  r.device_id = device_id;
  r.seq = seq;
  r.kind = kind;
  r.received_at = at(seconds);
  r.payload = kind + "-" + std::to_string(seq);
  return r;
}

}  // namespace

TEST_CASE("postgres store: retention drops whole days of deltas and keeps what rebuilds state",
          "[storage][pg][reports]") {
  auto store = open_pg(testing::PostgresServer::shared().create_database());
  constexpr int kDay = 86'400;
  REQUIRE(store->write([](WriteTx& tx) { return enroll_devices(tx, {"d1", "k1"}); }));
  // d1: a snapshot, two deltas, a newer snapshot two days later and a delta after it.
  // k1: a snapshot and a delta with no newer snapshot (it rebuilds k1's newest state).
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.reports().store_reports(
        {report("d1", 1, "snapshot", 0), report("d1", 2, "delta", 10), report("d1", 3, "delta", 20),
         report("d1", 4, "snapshot", 2 * kDay), report("d1", 5, "delta", 2 * kDay + 10),
         report("k1", 1, "snapshot", 0), report("k1", 2, "delta", 30)});
  }));
  RetentionCutoffs cutoffs;
  cutoffs.deltas_before = at(2 * kDay);
  cutoffs.points_before = at(0);
  auto pass = store->write([&](WriteTx& tx) { return tx.reports().apply_retention(cutoffs); });
  REQUIRE(pass);
  CHECK(pass->deltas_deleted == 2);
  auto& reports = store->read().reports();
  CHECK_FALSE(reports.find_report("d1", 2).value());
  CHECK_FALSE(reports.find_report("d1", 3).value());
  CHECK(reports.find_report("d1", 1).value());  // a full snapshot is never deleted
  CHECK(reports.find_report("d1", 5).value());  // its day is not over before the cutoff
  CHECK(reports.find_report("k1", 2).value()->payload == "delta-2");
  CHECK(reports.last_report_seq("d1").value() == 5);

  // Once k1 sends a newer snapshot, its kept delta goes at the next pass.
  REQUIRE(store->write([&](WriteTx& tx) {
    return tx.reports().store_report(report("k1", 3, "snapshot", 2 * kDay + 20));
  }));
  auto second = store->write([&](WriteTx& tx) { return tx.reports().apply_retention(cutoffs); });
  REQUIRE(second);
  CHECK(second->deltas_deleted == 1);
  CHECK_FALSE(reports.find_report("k1", 2).value());
  // A report received again after its day was dropped is a new report to the store: agents
  // resend only what was never acknowledged, which retention has not reached.
}

TEST_CASE(
    "postgres store: an ingest batch with more states and stale marks than one statement holds "
    "stores every one",
    "[storage][pg]") {
  auto store = open_pg(testing::PostgresServer::shared().create_database());
  constexpr int kDevices = 150;  // more than two statements' worth of states
  std::vector<std::string> ids;
  for (int i = 0; i < kDevices; ++i) ids.push_back("d" + std::to_string(i));
  REQUIRE(store->write([&](WriteTx& tx) { return enroll_devices(tx, ids); }));
  IngestBatch batch;
  for (int i = 0; i < kDevices; ++i) {
    DeviceState state;
    state.device_id = "d" + std::to_string(i);
    state.seq = state.base_seq = static_cast<std::uint64_t>(i + 1);
    state.as_of = at(i);
    state.snapshot = std::string(1000 + i, static_cast<char>(i));
    batch.states.push_back(state);
    if (i % 2 == 1) batch.stale_marks.push_back({state.device_id, state.seq + 100});
  }
  REQUIRE(store->write([&](WriteTx& tx) { return tx.reports().store_ingest(batch); }));
  auto states = store->read().reports().device_states(ids, true);
  REQUIRE(states);
  REQUIRE(states->size() == kDevices);
  for (int i = 0; i < kDevices; ++i) {
    const auto& s = states->at("d" + std::to_string(i));
    INFO("device " << i);
    CHECK(s.seq == static_cast<std::uint64_t>(i + 1));
    CHECK(s.snapshot == std::string(1000 + i, static_cast<char>(i)));
    CHECK(s.stale == (i % 2 == 1));
    CHECK(s.gap_seq == (i % 2 == 1 ? static_cast<std::uint64_t>(i + 101) : 0));
  }
}
