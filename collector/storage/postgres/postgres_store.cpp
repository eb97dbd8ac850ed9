// PostgresStore: opening, migrations and transactions. The repositories sit in a file per
// area (pg_device_repository.cpp, ...), reached through postgres_transaction.hpp.
#include "collector/storage/postgres/postgres_store.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "collector/storage/postgres/postgres_schema.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

namespace {

// A write transaction open on this thread: nested write()s of the same store join it as
// savepoints, and the store's plain reads on this thread use its connection.
struct ActiveTx {
  const PostgresStore* store;
  postgres::Connection* conn;
  WriteTx* tx;
  int savepoints = 0;
};

// Innermost last; one entry per store at most (a thread may write to two stores at once).
thread_local std::vector<ActiveTx*> tls_active;

ActiveTx* active_for(const PostgresStore* store) {
  auto found = std::find_if(tls_active.rbegin(), tls_active.rend(),
                            [&](const ActiveTx* a) { return a->store == store; });
  return found == tls_active.rend() ? nullptr : *found;
}

class ActiveGuard {
 public:
  explicit ActiveGuard(ActiveTx& active) { tls_active.push_back(&active); }
  ~ActiveGuard() { tls_active.pop_back(); }
  ActiveGuard(const ActiveGuard&) = delete;
  ActiveGuard& operator=(const ActiveGuard&) = delete;
};

// Before attempt `attempt` + 1: a short, growing, jittered pause, so two transactions that
// just collided do not collide again in step.
std::chrono::microseconds backoff(int attempt) {
  thread_local std::minstd_rand random(
      static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  const int ceiling = 500 << std::min(attempt, 6);
  return std::chrono::microseconds(
      std::uniform_int_distribution<int>(ceiling / 2, ceiling)(random));
}

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& conninfo,
                                                           PostgresStoreOptions options) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(conninfo, options));
  if (auto r = store->migrate(); !r) return fail("PostgreSQL schema migration", r.error());
  if (auto r = store->create_partitions_ahead(); !r) {
    return fail("PostgreSQL report partitions", r.error());
  }
  return store;
}

PostgresStore::~PostgresStore() = default;

Result<postgres::ConnectionRef> PostgresStore::ReadConnector::acquire() {
  if (ActiveTx* active = active_for(&store_)) return postgres::ConnectionRef(*active->conn);
  auto lease = store_.pool_.acquire();
  if (!lease) return tl::unexpected(lease.error());
  return postgres::ConnectionRef(std::move(*lease));
}

Result<void> PostgresStore::run_write(const std::function<Result<void>(WriteTx&)>& body) {
  ActiveTx* active = active_for(this);
  if (active == nullptr) return run_outer(body);
  // Nested: a savepoint, so a failure undoes only the nested body's writes.
  const std::string name = "nested_" + std::to_string(++active->savepoints);
  auto result = [&]() -> Result<void> {
    if (auto r = active->conn->exec("SAVEPOINT " + name); !r) return r;
    auto inner = body(*active->tx);
    if (!inner) {
      (void)active->conn->exec("ROLLBACK TO SAVEPOINT " + name);
      (void)active->conn->exec("RELEASE SAVEPOINT " + name);
      return inner;
    }
    return active->conn->exec("RELEASE SAVEPOINT " + name);
  }();
  --active->savepoints;
  return result;
}

Result<void> PostgresStore::run_outer(const std::function<Result<void>(WriteTx&)>& body) {
  for (int attempt = 1;; ++attempt) {
    auto lease = pool_.acquire();
    if (!lease) return tl::unexpected(lease.error());
    postgres::Connection& conn = **lease;
    conn.clear_retryable_failure();
    auto result = [&]() -> Result<void> {
      if (auto r = conn.exec("BEGIN ISOLATION LEVEL READ COMMITTED"); !r) return r;
      PgWriteTx tx(conn, state_);
      ActiveTx active{this, &conn, &tx};
      Result<void> outcome;
      {
        ActiveGuard guard(active);
        outcome = body(tx);
      }
      if (!outcome) {
        (void)conn.exec("ROLLBACK");
        return outcome;
      }
      return conn.commit();
    }();
    if (result || !conn.saw_retryable_failure() || attempt >= options_.max_attempts) {
      return result;
    }
    std::this_thread::sleep_for(backoff(attempt));
  }
}

Result<void> PostgresStore::create_partitions_ahead() {
  auto lease = pool_.acquire();
  if (!lease) return tl::unexpected(lease.error());
  postgres::Connection& conn = **lease;
  const auto today = PgReportPartitions::day_of(time_ms::to_ms(std::chrono::system_clock::now()));
  auto created = [&]() -> Result<void> {
    if (auto r = conn.exec("BEGIN"); !r) return r;
    if (auto r = state_.partitions.ensure(conn, today - 1, today + 7); !r) return r;
    return conn.commit();
  }();
  if (!created) (void)conn.exec("ROLLBACK");
  return created;
}

int PostgresStore::schema_version() {
  auto lease = pool_.acquire();
  if (!lease) return -1;
  auto r = (*lease)->query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!r || r->empty()) return -1;
  return static_cast<int>(r->int64(0, 0));
}

Result<void> PostgresStore::migrate() {
  auto lease = pool_.acquire();
  if (!lease) return tl::unexpected(lease.error());
  postgres::Connection& conn = **lease;
  auto migrated = [&]() -> Result<void> {
    if (auto r = conn.exec("BEGIN"); !r) return r;
    // Nodes starting together migrate one after the other; the later ones find nothing to do.
    if (auto r = conn.query("SELECT pg_advisory_xact_lock($1)", postgres_schema::kMigrationLock);
        !r) {
      return tl::unexpected(r.error());
    }
    if (auto r =
            conn.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                      "applied_at BIGINT NOT NULL)");
        !r) {
      return r;
    }
    auto current = conn.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!current) return tl::unexpected(current.error());
    const auto applied = static_cast<std::size_t>(current->int64(0, 0));
    const auto known = postgres_schema::kMigrations.size();
    if (applied > known) {
      return fail("database schema version " + std::to_string(applied) +
                  " is newer than this collector understands (" + std::to_string(known) +
                  "): upgrade the collector");
    }
    const auto now = time_ms::to_ms(std::chrono::system_clock::now());
    for (std::size_t v = applied; v < known; ++v) {
      if (auto r = conn.exec(postgres_schema::kMigrations[v]); !r) {
        return fail("migration " + std::to_string(v + 1), r.error());
      }
      if (auto r = conn.query("INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)",
                              static_cast<std::int64_t>(v + 1), now);
          !r) {
        return tl::unexpected(r.error());
      }
    }
    return conn.commit();
  }();
  if (!migrated) (void)conn.exec("ROLLBACK");
  return migrated;
}

}  // namespace triage::collector
