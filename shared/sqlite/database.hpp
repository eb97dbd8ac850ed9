#pragma once
// Thin RAII over the SQLite C API: a connection and prepared statements with typed binds.
// Used by the collector's store and the agent's spool.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <sqlite3.h>

#include "shared/util/result.hpp"

namespace triage::sqlite {

/// A connection's prepared statements kept for reuse (see Database::prepare).
class StatementCache;

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::weak_ptr<StatementCache> cache = {})
      : db_(db), stmt_(stmt), cache_(std::move(cache)) {}
  /// Back to its connection's cache, reset and unbound; finalized when there is no room.
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  Statement& bind_real(int index, double value);
  Statement& bind(int index, const std::optional<std::int64_t>& value);

  /// Binds `args` to parameters 1, 2, ... in order: integers and bools as integers, strings as
  /// text, std::optional<std::int64_t> as an integer or NULL, nullptr as NULL.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind_value(++index, args), ...);
    return *this;
  }

  /// Rewinds for another execution with new bindings.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  sqlite3_stmt* handle() const { return stmt_; }

  /// Advances: true when a row is available, false when done. Errors are values.
  Result<bool> step();
  /// Runs to completion, expecting no rows.
  Result<void> run();

  /// Steps through every row and returns `read(*this)` for each, in order.
  template <class Read>
  auto rows(Read&& read) -> Result<std::vector<std::invoke_result_t<Read&, const Statement&>>> {
    std::vector<std::invoke_result_t<Read&, const Statement&>> out;
    for (;;) {
      auto row = step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return out;
      out.push_back(read(*this));
    }
  }
  /// `read(*this)` of the first row, or nullopt when there is none.
  template <class Read>
  auto first(Read&& read) -> Result<std::optional<std::invoke_result_t<Read&, const Statement&>>> {
    using Row = std::invoke_result_t<Read&, const Statement&>;
    auto row = step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return std::optional<Row>();
    return std::optional<Row>(read(*this));
  }

  std::int64_t column_int(int index) const;
  std::optional<std::int64_t> column_optional_int(int index) const;
  std::string column_text(int index) const;
  std::string column_blob(int index) const;
  double column_real(int index) const;

 private:
  template <class T>
  void bind_value(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      bind_null(index);
    } else if constexpr (std::is_same_v<T, bool>) {
      bind(index, std::int64_t{value ? 1 : 0});
    } else if constexpr (std::is_integral_v<T>) {
      bind(index, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
      bind(index, value);
    } else {
      bind(index, std::string_view(value));
    }
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::weak_ptr<StatementCache> cache_;
};

/// What a committed transaction must survive.
enum class Durability {
  kProcessCrash,  ///< synchronous=NORMAL: survives kill -9 of the process (collector)
  kPowerLoss,     ///< synchronous=FULL: survives a power cut (agent spool: the user was told)
};

struct OpenOptions {
  Durability durability = Durability::kProcessCrash;
  /// Page cache limit in KiB; 0 keeps SQLite's default.
  int cache_kib = 0;
  /// Reads an existing file and writes nothing, not even beside it: SQLite's `immutable`
  /// mode, which neither locks the file nor creates a -wal or -shm file (a read-only
  /// connection to a WAL database otherwise creates both and leaves them). Only for a file
  /// no process writes meanwhile and whose write-ahead log has been folded in.
  bool read_only = false;
};

class Database {
 public:
  /// Opens (creating if needed) with WAL, foreign keys and a busy timeout, or for reading only
  /// (OpenOptions::read_only). A file that cannot be opened is kDenied; a busy database is
  /// kUnavailable.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path,
                                                OpenOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// A statement for `sql`: one this connection prepared before and is not using now, or a
  /// new one. Compiling SQL costs more than running a short statement on the hot paths.
  Result<Statement> prepare(std::string_view sql);
  /// Runs one or more statements without results (schema, pragmas).
  Result<void> exec(std::string_view sql);
  /// Runs one statement with `args` bound in order (see Statement::bind_all), expecting no
  /// rows. Returns how many rows it changed.
  template <class... Args>
  Result<int> exec_with(std::string_view sql, const Args&... args) {
    auto st = query(sql, args...);
    if (!st) return tl::unexpected(st.error());
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    return changes();
  }
  /// A statement for `sql` with `args` bound in order, ready to step().
  template <class... Args>
  Result<Statement> query(std::string_view sql, const Args&... args) {
    auto st = prepare(sql);
    if (!st) return st;
    st->bind_all(args...);
    return st;
  }
  int changes() const { return sqlite3_changes(db_); }
  std::string last_error() const { return sqlite3_errmsg(db_); }
  sqlite3* handle() { return db_; }

 private:
  explicit Database(sqlite3* db);
  sqlite3* db_;
  std::shared_ptr<StatementCache> cache_;
};

/// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it fails. Inside a
/// transaction already, `body` runs in a savepoint instead: its failure undoes only its own
/// writes, and the outer transaction decides about the commit.
template <class Fn>
auto in_transaction(Database& db, Fn&& body) -> decltype(body()) {
  if (sqlite3_get_autocommit(db.handle()) == 0) {
    if (auto r = db.exec("SAVEPOINT nested"); !r) return tl::unexpected(r.error());
    auto result = body();
    if (!result) {
      (void)db.exec("ROLLBACK TO nested");
      (void)db.exec("RELEASE nested");
      return result;
    }
    if (auto r = db.exec("RELEASE nested"); !r) return tl::unexpected(r.error());
    return result;
  }
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

}  // namespace triage::sqlite
