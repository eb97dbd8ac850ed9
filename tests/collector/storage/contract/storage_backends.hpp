#pragma once
// The storage backends the contract suite runs against: one type per backend, each able to
// open a fresh, empty store and more stores on the same data (another process or collector
// node). A backend joins the suite by adding its type to TRIAGE_STORAGE_BACKENDS.

#include <catch2/catch.hpp>

#include <string>

#include "collector/storage/postgres/postgres_store.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace triage::collector::contract {

/// SQLite: one file in a temporary directory; each open() is another connection set.
class SqliteBackend {
 public:
  static constexpr const char* kName = "sqlite";
  StorePtr open() {
    auto store = SqliteStore::open((dir_.path() / "contract.db").string());
    REQUIRE(store);
    return std::move(*store);
  }

 private:
  testing::TempDir dir_;
};

/// PostgreSQL 15: a fresh database on the test process's one server (started on first use);
/// each open() is another store, with its own connections, on that database.
class PostgresBackend {
 public:
  static constexpr const char* kName = "postgres";
  PostgresBackend() : conninfo_(testing::PostgresServer::shared().create_database()) {}
  StorePtr open() {
    auto store = PostgresStore::open(conninfo_);
    if (!store) FAIL(store.error().message);
    return std::move(*store);
  }

 private:
  std::string conninfo_;
};

}  // namespace triage::collector::contract

/// Every backend the contract suite covers, as TEMPLATE_TEST_CASE's type list.
#define TRIAGE_STORAGE_BACKENDS \
  triage::collector::contract::SqliteBackend, triage::collector::contract::PostgresBackend
