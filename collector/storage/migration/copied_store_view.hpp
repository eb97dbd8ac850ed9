#pragma once
// The rows `migrate-storage` has copied, seen as a Store before they commit: its reads run on
// the migration's connection, inside its transaction, through the PostgreSQL repositories.

#include <functional>

#include "collector/storage/postgres/pg_connection.hpp"
#include "collector/storage/postgres/pg_connector.hpp"
#include "collector/storage/postgres/postgres_transaction.hpp"
#include "collector/storage/store.hpp"

namespace triage::collector::migration {

/// A read-only Store over an open PostgreSQL transaction (checks such as the audit chain's
/// run on the copy before COMMIT). Valid while that transaction is.
class CopiedStoreView final : public Store {
 public:
  explicit CopiedStoreView(postgres::Connection& conn) : connector_(conn) {}

  ReadTx& read() override { return reads_; }

 protected:
  Result<void> run_write(const std::function<Result<void>(WriteTx&)>&) override {
    return fail(ErrorCode::kInvalid, "the copied data is read-only until the migration commits");
  }

 private:
  postgres::TxConnector connector_;
  PgStoreState state_;
  PgReadTx reads_{connector_, state_};
};

}  // namespace triage::collector::migration
