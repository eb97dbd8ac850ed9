#include "collector/storage/sqlite/sqlite_store.hpp"

#include <functional>

#include "collector/storage/sqlite/schema.hpp"
#include "collector/storage/sqlite/sqlite_time.hpp"

namespace triage::collector {

using sqlite::Statement;
using sqlite_time::from_ms;
using sqlite_time::from_optional_ms;
using sqlite_time::to_ms;

namespace {

constexpr const char* kDeviceColumns =
    "id, hostname, certificate_sha256, enrolled_at, last_seen, revoked_at, agent_version, "
    "os_pretty_name, kernel, arch, enrollment_token_id";

Device read_device(const Statement& s) {
  Device d;
  d.id = s.column_text(0);
  d.hostname = s.column_text(1);
  d.certificate_sha256 = s.column_text(2);
  d.enrolled_at = from_ms(s.column_int(3));
  d.last_seen = from_optional_ms(s.column_optional_int(4));
  d.revoked_at = from_optional_ms(s.column_optional_int(5));
  d.agent_version = s.column_text(6);
  d.os_pretty_name = s.column_text(7);
  d.kernel = s.column_text(8);
  d.arch = s.column_text(9);
  d.enrollment_token_id = s.column_text(10);
  return d;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  auto db = sqlite::Database::open(path);
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*db), path));
  if (auto r = store->migrate(); !r) return fail("migrate " + path, r.error());
  return store;
}

int SqliteStore::schema_version() {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare("PRAGMA user_version");
  if (!st || !st->step().value_or(false)) return -1;
  return static_cast<int>(st->column_int(0));
}

Result<void> SqliteStore::migrate() {
  auto st = db_->prepare("PRAGMA user_version");
  if (!st) return tl::unexpected(st.error());
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  const auto current = static_cast<std::size_t>(st->column_int(0));
  if (current > schema::kMigrations.size()) {
    return fail("database schema version " + std::to_string(current) +
                " is newer than this collector understands (" +
                std::to_string(schema::kMigrations.size()) + "): upgrade the collector");
  }
  for (std::size_t v = current; v < schema::kMigrations.size(); ++v) {
    auto applied = sqlite::in_transaction(*db_, [&]() -> Result<void> {
      if (auto r = db_->exec(schema::kMigrations[v]); !r) return r;
      return db_->exec("PRAGMA user_version = " + std::to_string(v + 1));
    });
    if (!applied) return fail("schema migration " + std::to_string(v + 1), applied.error());
  }
  return {};
}

Result<void> SqliteStore::insert_enrollment_token(const EnrollmentToken& t) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "INSERT INTO enrollment_tokens(id, token_hash, created_at, expires_at, max_uses, uses, "
      "created_by) VALUES (?,?,?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, t.id)
      .bind(2, t.token_hash)
      .bind(3, to_ms(t.created_at))
      .bind(4, to_ms(t.expires_at))
      .bind(5, std::int64_t{t.max_uses})
      .bind(6, std::int64_t{t.uses})
      .bind(7, t.created_by);
  return st->run();
}

Result<void> SqliteStore::enroll_device(std::string_view token_hash, const Device& device,
                                        TimePoint now) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto token = db_->prepare(
        "SELECT id, expires_at, max_uses, uses FROM enrollment_tokens WHERE token_hash = ?");
    if (!token) return tl::unexpected(token.error());
    token->bind(1, token_hash);
    auto row = token->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(ErrorCode::kDenied, "enrollment token is not valid");
    const std::string token_id = token->column_text(0);
    if (from_ms(token->column_int(1)) <= now) {
      return fail(ErrorCode::kDenied, "enrollment token has expired; ask an admin for a new one");
    }
    if (token->column_int(3) >= token->column_int(2)) {
      return fail(ErrorCode::kDenied, "enrollment token has no uses left");
    }
    auto use = db_->prepare("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ?");
    if (!use) return tl::unexpected(use.error());
    use->bind(1, token_id);
    if (auto r = use->run(); !r) return r;
    auto insert = db_->prepare(
        "INSERT INTO devices(id, hostname, certificate_sha256, enrolled_at, "
        "enrollment_token_id) VALUES (?,?,?,?,?)");
    if (!insert) return tl::unexpected(insert.error());
    insert->bind(1, device.id)
        .bind(2, device.hostname)
        .bind(3, device.certificate_sha256)
        .bind(4, to_ms(device.enrolled_at))
        .bind(5, token_id);
    return insert->run();
  });
}

Result<std::optional<Device>> SqliteStore::find_device(std::string_view id) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  sqlite::Database* db = reader->get();
  auto st = db->prepare(std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<Device>();
  return std::optional<Device>(read_device(*st));
}

Result<std::vector<Device>> SqliteStore::list_devices() {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  sqlite::Database* db = reader->get();
  auto st =
      db->prepare(std::string("SELECT ") + kDeviceColumns + " FROM devices ORDER BY hostname, id");
  if (!st) return tl::unexpected(st.error());
  std::vector<Device> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(read_device(*st));
  }
  return out;
}

Result<void> SqliteStore::revoke_device(std::string_view id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, to_ms(when)).bind(2, id);
  if (auto r = st->run(); !r) return r;
  if (db_->changes() == 0) return fail(ErrorCode::kNotFound, "no device " + std::string(id));
  return {};
}

Result<void> SqliteStore::record_hello(std::string_view device_id, const DeviceHelloFacts& f,
                                       TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "UPDATE devices SET hostname = ?, agent_version = ?, os_pretty_name = ?, kernel = ?, "
      "arch = ?, last_seen = ? WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, f.hostname)
      .bind(2, f.agent_version)
      .bind(3, f.os_pretty_name)
      .bind(4, f.kernel)
      .bind(5, f.arch)
      .bind(6, to_ms(when))
      .bind(7, device_id);
  return st->run();
}

Result<void> SqliteStore::touch_device(std::string_view device_id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare("UPDATE devices SET last_seen = ? WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, to_ms(when)).bind(2, device_id);
  return st->run();
}

Result<std::int64_t> SqliteStore::insert_user(const User& user) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "INSERT INTO users(name, role, password_hash, created_at, disabled) VALUES (?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, user.name)
      .bind(2, role_name(user.role))
      .bind(3, user.password_hash)
      .bind(4, to_ms(user.created_at))
      .bind(5, std::int64_t{user.disabled ? 1 : 0});
  if (auto r = st->run(); !r) {
    if (r.error().code == ErrorCode::kConflict) {
      return fail(ErrorCode::kConflict, "a user named " + user.name + " exists already");
    }
    return tl::unexpected(r.error());
  }
  return sqlite3_last_insert_rowid(db_->handle());
}

Result<std::optional<User>> SqliteStore::find_user_where(
    std::string_view where_sql, const std::function<void(Statement&)>& bind) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  sqlite::Database* db = reader->get();
  auto st =
      db->prepare("SELECT id, name, role, password_hash, created_at, disabled FROM users WHERE " +
                  std::string(where_sql));
  if (!st) return tl::unexpected(st.error());
  bind(*st);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<User>();
  User u;
  u.id = st->column_int(0);
  u.name = st->column_text(1);
  u.role = parse_role(st->column_text(2)).value_or(Role::kViewer);
  u.password_hash = st->column_text(3);
  u.created_at = from_ms(st->column_int(4));
  u.disabled = st->column_int(5) != 0;
  return std::optional<User>(std::move(u));
}

Result<std::optional<User>> SqliteStore::find_user_by_name(std::string_view name) {
  return find_user_where("name = ?", [&](Statement& s) { s.bind(1, name); });
}

Result<std::optional<User>> SqliteStore::find_user(std::int64_t id) {
  return find_user_where("id = ?", [&](Statement& s) { s.bind(1, id); });
}

Result<void> SqliteStore::insert_session(const ApiSession& session) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "INSERT INTO api_sessions(token_hash, user_id, created_at, expires_at) VALUES (?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, session.token_hash)
      .bind(2, session.user_id)
      .bind(3, to_ms(session.created_at))
      .bind(4, to_ms(session.expires_at));
  return st->run();
}

Result<std::optional<ApiSession>> SqliteStore::find_session(std::string_view token_hash,
                                                            TimePoint now) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  sqlite::Database* db = reader->get();
  auto st = db->prepare(
      "SELECT token_hash, user_id, created_at, expires_at FROM api_sessions "
      "WHERE token_hash = ? AND expires_at > ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, token_hash).bind(2, to_ms(now));
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<ApiSession>();
  ApiSession s;
  s.token_hash = st->column_text(0);
  s.user_id = st->column_int(1);
  s.created_at = from_ms(st->column_int(2));
  s.expires_at = from_ms(st->column_int(3));
  return std::optional<ApiSession>(std::move(s));
}

Result<bool> SqliteStore::store_report(const StoredReport& report) {
  auto stored = store_reports({report});
  if (!stored) return tl::unexpected(stored.error());
  return stored->front();
}

Result<std::vector<bool>> SqliteStore::store_reports(const std::vector<StoredReport>& reports) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<std::vector<bool>> {
    auto st = db_->prepare(
        "INSERT INTO reports(device_id, seq, kind, received_at, payload) VALUES (?,?,?,?,?) "
        "ON CONFLICT(device_id, seq) DO NOTHING");
    if (!st) return tl::unexpected(st.error());
    std::vector<bool> stored;
    stored.reserve(reports.size());
    for (const auto& report : reports) {
      st->reset();
      st->bind(1, report.device_id)
          .bind(2, static_cast<std::int64_t>(report.seq))
          .bind(3, report.kind)
          .bind(4, to_ms(report.received_at))
          .bind_blob(5, report.payload);
      if (auto r = st->run(); !r) return tl::unexpected(r.error());
      stored.push_back(db_->changes() == 1);
    }
    return stored;
  });
}

Result<std::uint64_t> SqliteStore::last_report_seq(std::string_view device_id) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  sqlite::Database* db = reader->get();
  auto st = db->prepare("SELECT COALESCE(MAX(seq), 0) FROM reports WHERE device_id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, device_id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  return static_cast<std::uint64_t>(st->column_int(0));
}

Result<bool> SqliteStore::has_snapshot(std::string_view device_id) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT EXISTS (SELECT 1 FROM reports WHERE device_id = ? AND kind = 'snapshot')");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, device_id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  return st->column_int(0) != 0;
}

Result<std::optional<StoredReport>> SqliteStore::read_report(
    std::string_view device_id, std::string_view where_sql,
    const std::function<void(Statement&)>& bind) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT seq, kind, received_at, payload FROM reports WHERE device_id = ? AND " +
      std::string(where_sql));
  if (!st) return tl::unexpected(st.error());
  st->bind(1, device_id);
  bind(*st);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<StoredReport>();
  StoredReport r;
  r.device_id = std::string(device_id);
  r.seq = static_cast<std::uint64_t>(st->column_int(0));
  r.kind = st->column_text(1);
  r.received_at = from_ms(st->column_int(2));
  r.payload = st->column_blob(3);
  return std::optional<StoredReport>(std::move(r));
}

Result<std::optional<StoredReport>> SqliteStore::latest_snapshot(std::string_view device_id) {
  return read_report(device_id, "kind = 'snapshot' ORDER BY seq DESC LIMIT 1", [](Statement&) {});
}

Result<std::optional<StoredReport>> SqliteStore::snapshot_at_or_before(std::string_view device_id,
                                                                       TimePoint t) {
  return read_report(device_id,
                     "kind = 'snapshot' AND received_at <= ? ORDER BY received_at DESC LIMIT 1",
                     [&](Statement& s) { s.bind(2, to_ms(t)); });
}

Result<std::optional<StoredReport>> SqliteStore::find_report(std::string_view device_id,
                                                             std::uint64_t seq) {
  return read_report(device_id, "seq = ?",
                     [&](Statement& s) { s.bind(2, static_cast<std::int64_t>(seq)); });
}

}  // namespace triage::collector
