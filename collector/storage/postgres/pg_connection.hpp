#pragma once
// Thin RAII over libpq (the C API from Debian's libpq-dev): a connection, parameterized
// statements prepared once per connection, and their results. Values are always bound as
// parameters, never spliced into SQL text.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <libpq-fe.h>

#include "shared/util/result.hpp"

namespace triage::postgres {

/// Bytes bound as `bytea` (sent in binary: no escaping, no size doubling).
struct Bytes {
  std::string_view data;
};

/// A statement's result rows (text format). Owns the PGresult.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}

  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  /// Rows a command changed (UPDATE, DELETE, INSERT).
  std::int64_t affected() const;

  bool is_null(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string text(int row, int col) const;
  std::int64_t int64(int row, int col) const;
  std::optional<std::int64_t> optional_int64(int row, int col) const;
  bool boolean(int row, int col) const;
  double real(int row, int col) const;
  /// A `bytea` column, decoded.
  std::string bytes(int row, int col) const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

/// One statement's parameters: text values (or NULL), bytea values in binary.
class Params {
 public:
  template <class... Args>
  explicit Params(const Args&... args) {
    values_.reserve(sizeof...(Args));
    (add(args), ...);
  }
  void add(std::nullptr_t) { push(std::nullopt, false); }
  void add(bool v) { push(std::string(v ? "true" : "false"), false); }
  void add(double v);
  void add(const Bytes& v) { push(std::string(v.data), true); }
  void add(std::string_view v) { push(std::string(v), false); }
  void add(const std::string& v) { push(v, false); }
  void add(const char* v) { push(std::string(v), false); }
  void add(const std::optional<std::int64_t>& v) {
    if (v)
      add(*v);
    else
      add(nullptr);
  }
  void add(const std::optional<std::string>& v) {
    if (v)
      add(*v);
    else
      add(nullptr);
  }
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  void add(T v) {
    push(std::to_string(v), false);
  }

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return pointers_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }
  /// Fixes the pointers once every value is added (called by the connection).
  void seal();

 private:
  void push(std::optional<std::string> value, bool binary);

  std::vector<std::optional<std::string>> values_;
  std::vector<const char*> pointers_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

/// One connection. Not thread-safe: one thread at a time (the pool hands it out).
class Connection {
 public:
  /// Connects with a libpq connection string ("host=... port=... dbname=..." or a
  /// postgres:// URL). kUnavailable when the server cannot be reached.
  static Result<std::unique_ptr<Connection>> connect(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs SQL without parameters or results (schema, BEGIN, SAVEPOINT); may hold several
  /// statements.
  Result<void> exec(std::string_view sql);
  /// Runs one statement with `params` bound to $1, $2, ...: prepared on this connection the
  /// first time its text is seen, reused after.
  Result<Rows> run(std::string_view sql, Params params);
  /// run() with the arguments bound in order (see Params).
  template <class... Args>
  Result<Rows> query(std::string_view sql, const Args&... args) {
    return run(sql, Params(args...));
  }
  /// COMMIT, reporting a transaction that failed earlier (PostgreSQL answers such a COMMIT
  /// with ROLLBACK, not with an error).
  Result<void> commit();

  /// The socket libpq reads from, for waiting on notifications (LISTEN) with poll().
  int socket() const { return PQsocket(conn_); }
  /// Reads what the server sent and counts the notifications (NOTIFY) received since the
  /// last call, discarding their payloads. kUnavailable when the connection is lost.
  Result<std::size_t> take_notifications();

  /// Open and outside any transaction: fit for the next user. The pool closes a connection
  /// the server dropped or one left inside a transaction.
  bool reusable() const;
  /// Whether a statement failed with a serialization failure or a deadlock (SQLSTATE 40001,
  /// 40P01) since the last clear: the transaction may succeed when run again.
  bool saw_retryable_failure() const { return retryable_failure_; }
  void clear_retryable_failure() { retryable_failure_ = false; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Result<Rows> check(PGresult* result, std::string_view sql);

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  bool retryable_failure_ = false;
};

/// The outcome of a statement without its rows.
inline Result<void> done(const Result<Rows>& rows) {
  if (!rows) return tl::unexpected(rows.error());
  return {};
}

}  // namespace triage::postgres
