#pragma once
// The scale-out store: PostgreSQL 15 through libpq, shared by any number of collector nodes.
//
// Isolation: every write transaction runs at READ COMMITTED, and each repository method is
// written to be correct there on its own: a conditional statement (UPDATE ... WHERE state,
// INSERT ... ON CONFLICT), or a lock taken before the read it decides on (SELECT ... FOR
// UPDATE of the row, a transaction-scoped advisory lock for the audit chain's head and for a
// device's reports). After such a lock the next statement sees what the previous holder
// committed, so a contended append waits once and succeeds. Under SERIALIZABLE the snapshot
// would predate the lock and every contended append would abort and start over, and the
// ingest path would abort on predicate-lock false positives. Deadlocks (40P01) and
// serialization failures (40001) still end a transaction now and then: run_write() runs the
// body again, a bounded number of times.

#include <cstddef>
#include <memory>
#include <string>

#include "collector/storage/postgres/pg_connector.hpp"
#include "collector/storage/postgres/pg_pool.hpp"
#include "collector/storage/postgres/postgres_transaction.hpp"
#include "collector/storage/store.hpp"

namespace triage::collector {

struct PostgresStoreOptions {
  /// Connections this store opens at most (reads and writes share them).
  std::size_t max_connections = 16;
  /// Times a write transaction runs at most when it keeps failing to serialize.
  int max_attempts = 8;
};

class PostgresStore final : public Store {
 public:
  /// Connects with a libpq connection string or postgres:// URL and applies pending schema
  /// migrations (one node at a time: the others wait on an advisory lock).
  static Result<std::unique_ptr<PostgresStore>> open(const std::string& conninfo,
                                                     PostgresStoreOptions options = {});
  ~PostgresStore() override;

  ReadTx& read() override { return read_tx_; }

  /// The newest applied schema migration (for tests and `doctor` output); -1 on error.
  int schema_version();

 protected:
  Result<void> run_write(const std::function<Result<void>(WriteTx&)>& body) override;

 private:
  /// Reads outside a write lease a pooled connection per call; on a thread that runs a write
  /// transaction of this store they use its connection (and see its writes), as in SQLite.
  class ReadConnector final : public postgres::Connector {
   public:
    explicit ReadConnector(PostgresStore& store) : store_(store) {}
    Result<postgres::ConnectionRef> acquire() override;
    bool in_write() const override { return false; }

   private:
    PostgresStore& store_;
  };

  PostgresStore(const std::string& conninfo, PostgresStoreOptions options)
      : options_(options), pool_(conninfo, options.max_connections) {}
  Result<void> migrate();
  /// Creates the report history's day partitions from yesterday to a week ahead, so ingest
  /// seldom creates one on its hot path (it does when a day is missing).
  Result<void> create_partitions_ahead();
  /// The outermost transaction: BEGIN, body, COMMIT; again on a serialization failure.
  Result<void> run_outer(const std::function<Result<void>(WriteTx&)>& body);

  const PostgresStoreOptions options_;
  postgres::Pool pool_;
  PgStoreState state_;
  ReadConnector read_connector_{*this};
  PgReadTx read_tx_{read_connector_, state_};
};

}  // namespace triage::collector
