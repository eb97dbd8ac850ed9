#include "collector/storage/postgres/pg_connection.hpp"

#include <charconv>
#include <cstdlib>

namespace triage::postgres {

namespace {

// SQLSTATEs a caller reacts to; every other failure is kFailed.
ErrorCode code_for(std::string_view sqlstate) {
  if (sqlstate == "23505") return ErrorCode::kConflict;  // unique_violation
  if (sqlstate == "40001" || sqlstate == "40P01") return ErrorCode::kUnavailable;
  if (sqlstate.starts_with("08") || sqlstate.starts_with("57P")) return ErrorCode::kUnavailable;
  return ErrorCode::kFailed;
}

std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n != nullptr && *n != '\0' ? std::strtoll(n, nullptr, 10) : 0;
}

std::string Rows::text(int row, int col) const {
  return std::string(PQgetvalue(result_.get(), row, col),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, col)));
}

std::int64_t Rows::int64(int row, int col) const {
  return std::strtoll(PQgetvalue(result_.get(), row, col), nullptr, 10);
}

std::optional<std::int64_t> Rows::optional_int64(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return int64(row, col);
}

bool Rows::boolean(int row, int col) const { return PQgetvalue(result_.get(), row, col)[0] == 't'; }

double Rows::real(int row, int col) const {
  return std::strtod(PQgetvalue(result_.get(), row, col), nullptr);
}

std::string Rows::bytes(int row, int col) const {
  std::size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, col)), &length);
  if (raw == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return out;
}

void Params::add(double v) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), v);
  push(std::string(buffer, end), false);
}

void Params::push(std::optional<std::string> value, bool binary) {
  values_.push_back(std::move(value));
  formats_.push_back(binary ? 1 : 0);
}

void Params::seal() {
  pointers_.clear();
  lengths_.clear();
  for (const auto& v : values_) {
    pointers_.push_back(v ? v->data() : nullptr);
    lengths_.push_back(v ? static_cast<int>(v->size()) : 0);
  }
}

Result<std::unique_ptr<Connection>> Connection::connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return fail(ErrorCode::kUnavailable, "postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return fail(ErrorCode::kUnavailable, "connecting to PostgreSQL: " + message);
  }
  // Quiet NOTICEs ("relation exists, skipping") stay out of the collector's stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::reusable() const {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

Result<Rows> Connection::check(PGresult* result, std::string_view sql) {
  const auto status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(result);
  if (result == nullptr) return fail(ErrorCode::kUnavailable, trimmed(PQerrorMessage(conn_)));
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string sqlstate = state != nullptr ? state : "";
  std::string message = trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  PQclear(result);
  if (sqlstate == "40001" || sqlstate == "40P01") retryable_failure_ = true;
  const auto head = sql.substr(0, sql.find_first_of("\n("));
  return fail(code_for(sqlstate),
              "postgres (" + sqlstate + "): " + message + " [" + std::string(head) + "]");
}

Result<void> Connection::exec(std::string_view sql) {
  auto rows = check(PQexec(conn_, std::string(sql).c_str()), sql);
  if (!rows) return tl::unexpected(rows.error());
  return {};
}

Result<Rows> Connection::run(std::string_view sql, Params params) {
  params.seal();
  const std::string text(sql);
  auto found = prepared_.find(text);
  if (found == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    auto prepared = check(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr), sql);
    if (!prepared) return tl::unexpected(prepared.error());
    found = prepared_.emplace(text, std::move(name)).first;
  }
  return check(PQexecPrepared(conn_, found->second.c_str(), params.size(), params.values(),
                              params.lengths(), params.formats(), 0),
               sql);
}

Result<std::size_t> Connection::take_notifications() {
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
    return fail(ErrorCode::kUnavailable,
                "PostgreSQL connection lost: " + trimmed(PQerrorMessage(conn_)));
  }
  std::size_t count = 0;
  while (PGnotify* notify = PQnotifies(conn_)) {
    PQfreemem(notify);
    ++count;
  }
  return count;
}

Result<void> Connection::commit() {
  PGresult* result = PQexec(conn_, "COMMIT");
  auto rows = check(result, "COMMIT");
  if (!rows) return tl::unexpected(rows.error());
  // An aborted transaction "commits" as ROLLBACK: its writes are gone, say so.
  if (std::string_view(PQcmdStatus(result)) != "COMMIT") {
    return fail("postgres: the transaction was rolled back (a statement in it failed)");
  }
  return {};
}

}  // namespace triage::postgres
