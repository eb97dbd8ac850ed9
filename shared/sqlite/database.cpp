#include "shared/sqlite/database.hpp"

namespace triage::sqlite {

class StatementCache {
 public:
  /// Dynamic SQL (IN lists, search filters) must not grow the cache without bound.
  static constexpr std::size_t kMaxStatements = 128;

  ~StatementCache() {
    for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  }
  sqlite3_stmt* take(std::string_view sql) {
    auto it = idle_.find(std::string(sql));
    if (it == idle_.end()) return nullptr;
    auto* stmt = it->second;
    idle_.erase(it);
    return stmt;
  }
  /// False when it is not kept (the caller finalizes it).
  bool put(sqlite3_stmt* stmt) {
    if (idle_.size() >= kMaxStatements) return false;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return idle_.emplace(sqlite3_sql(stmt), stmt).second;
  }

 private:
  std::unordered_map<std::string, sqlite3_stmt*> idle_;
};

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  // A statement that outlives its connection's cache is simply finalized.
  if (auto cache = cache_.lock(); cache && cache->put(stmt_)) return;
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), cache_(std::move(other.cache_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::bind_real(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if (rc == SQLITE_CONSTRAINT) return fail(ErrorCode::kConflict, sqlite3_errmsg(db_));
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return fail(ErrorCode::kUnavailable, std::string("database busy: ") + sqlite3_errmsg(db_));
  }
  return fail(std::string("database: ") + sqlite3_errmsg(db_));
}

Result<void> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return tl::unexpected(r.error());
    if (!*r) return {};
  }
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

double Statement::column_real(int index) const { return sqlite3_column_double(stmt_, index); }

std::optional<std::int64_t> Statement::column_optional_int(int index) const {
  if (sqlite3_column_type(stmt_, index) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(stmt_, index);
}

std::string Statement::column_text(int index) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, index));
}

std::string Statement::column_blob(int index) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, index));
  return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, index));
}

namespace {

// A file: URI for a UTF-8 path (SQLite reads `?` and `#` as the query and fragment, `%` as an
// escape).
std::string file_uri(std::u8string_view path, std::string_view query) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (char8_t c8 : path) {
    const auto c = static_cast<unsigned char>(c8);
    if (c == '?' || c == '#' || c == '%') {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 0xF];
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri + "?" + std::string(query);
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path,
                                                 OpenOptions options) {
  sqlite3* raw = nullptr;
  // SQLite takes UTF-8 file names; the native path is UTF-16 on Windows.
  const std::u8string name = path.u8string();
  int rc =
      options.read_only
          ? sqlite3_open_v2(file_uri(name, "mode=ro&immutable=1").c_str(), &raw,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr)
          : sqlite3_open_v2(reinterpret_cast<const char*>(name.c_str()), &raw,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return fail(rc == SQLITE_CANTOPEN ? ErrorCode::kDenied : ErrorCode::kFailed,
                "open database " + path.string() + ": " + message);
  }
  std::unique_ptr<Database> db(new Database(raw));
  sqlite3_busy_timeout(raw, 5000);
  std::string pragmas;
  if (options.read_only) {
    pragmas = "PRAGMA query_only=ON; PRAGMA temp_store=MEMORY;";
  } else {
    // WAL: readers never block the writer.
    pragmas =
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
        "PRAGMA temp_store=MEMORY; PRAGMA synchronous=";
    pragmas += options.durability == Durability::kPowerLoss ? "FULL;" : "NORMAL;";
  }
  if (options.cache_kib > 0)
    pragmas += " PRAGMA cache_size=-" + std::to_string(options.cache_kib) + ";";
  if (auto r = db->exec(pragmas); !r) {
    return fail("configure database " + path.string(), r.error());
  }
  return db;
}

Database::Database(sqlite3* db) : db_(db), cache_(std::make_shared<StatementCache>()) {}

Database::~Database() {
  cache_.reset();  // finalizes the idle statements before the connection closes
  sqlite3_close_v2(db_);
}

Result<Statement> Database::prepare(std::string_view sql) {
  if (auto* cached = cache_->take(sql)) return Statement(db_, cached, cache_);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return fail(std::string("prepare: ") + sqlite3_errmsg(db_));
  return Statement(db_, stmt, cache_);
}

Result<void> Database::exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    if (rc == SQLITE_BUSY) return fail(ErrorCode::kUnavailable, "database busy: " + message);
    return fail("database: " + message);
  }
  return {};
}

}  // namespace triage::sqlite
