#pragma once
// Minimal RAII over the SQLite C API for the agent's local files (the spool): one connection,
// prepared statements with typed binds, errors as values.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "shared/util/result.hpp"

namespace triage::agent::spool {

/// One prepared statement; finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);

  /// True when a row is available, false when done.
  Result<bool> step();
  /// Runs to completion, expecting no rows.
  Result<void> run();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  std::string column_blob(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

/// One connection, opened with WAL, synchronous=FULL (a report the user was told is queued
/// survives a power cut) and a busy timeout, so `get-help` and the daemon can share the file.
class Database {
 public:
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Result<Statement> prepare(std::string_view sql);
  /// Runs statements without results (schema, pragmas, BEGIN/COMMIT).
  Result<void> exec(std::string_view sql);
  int changes() const { return sqlite3_changes(db_); }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

/// Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
template <class Fn>
auto in_transaction(Database& db, Fn&& body) -> decltype(body()) {
  if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return tl::unexpected(r.error());
  auto result = body();
  if (!result) {
    (void)db.exec("ROLLBACK");
    return result;
  }
  if (auto r = db.exec("COMMIT"); !r) {
    (void)db.exec("ROLLBACK");
    return tl::unexpected(r.error());
  }
  return result;
}

}  // namespace triage::agent::spool
