#include "collector/storage/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <filesystem>
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
    "os_pretty_name, kernel, arch, enrollment_token_id, owner, "
    "(SELECT group_concat(tag, ',') FROM device_tags t WHERE t.device_id = devices.id)";

std::vector<std::string> split_tags(const std::string& joined) {
  std::vector<std::string> tags;
  std::size_t start = 0;
  while (start < joined.size()) {
    auto end = joined.find(',', start);
    if (end == std::string::npos) end = joined.size();
    if (end > start) tags.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  std::sort(tags.begin(), tags.end());
  return tags;
}

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
  d.owner = s.column_text(11);
  d.tags = split_tags(s.column_text(12));
  return d;
}

constexpr const char* kUserColumns =
    "id, name, role, password_hash, created_at, disabled, kind, must_change_password";

User read_user(const Statement& s) {
  User u;
  u.id = s.column_int(0);
  u.name = s.column_text(1);
  // An unknown role in the database grants the least, never more.
  u.role = parse_role(s.column_text(2)).value_or(Role::kViewer);
  u.password_hash = s.column_text(3);
  u.created_at = from_ms(s.column_int(4));
  u.disabled = s.column_int(5) != 0;
  // An unknown kind is a service account: it can do the least (no password, no orders).
  u.kind = parse_user_kind(s.column_text(6)).value_or(UserKind::kService);
  u.must_change_password = s.column_int(7) != 0;
  return u;
}

constexpr const char* kApiTokenColumns =
    "t.id, t.token_hash, t.user_id, u.name, t.name, t.created_at, t.expires_at, t.last_used_at, "
    "t.revoked_at, t.created_by";

ApiToken read_api_token(const Statement& s) {
  ApiToken t;
  t.id = s.column_text(0);
  t.token_hash = s.column_text(1);
  t.user_id = s.column_int(2);
  t.user_name = s.column_text(3);
  t.name = s.column_text(4);
  t.created_at = from_ms(s.column_int(5));
  t.expires_at = from_ms(s.column_int(6));
  t.last_used_at = from_optional_ms(s.column_optional_int(7));
  t.revoked_at = from_optional_ms(s.column_optional_int(8));
  t.created_by = s.column_text(9);
  return t;
}

constexpr auto kThrottleRetention = std::chrono::hours(24 * 7);

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       SqliteStoreOptions options) {
  sqlite::OpenOptions open_options;
  open_options.cache_kib = options.cache_kib;
  auto db = sqlite::Database::open(path, open_options);
  if (!db) return tl::unexpected(db.error());
  if (options.background_checkpoints) {
    // The checkpointer copies the WAL. A WAL that grew in a burst is cut back to 256 MiB when
    // it starts over, not less: writing frames into new file pages costs the kernel zeroing.
    if (auto r = (*db)->exec("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=268435456;");
        !r) {
      return fail("configure database " + path, r.error());
    }
  }
  // The database holds webhook signing secrets: owner only, whatever the umask. SQLite
  // creates the -wal and -shm files with the database's mode; older ones are fixed too.
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    const std::filesystem::path file = path + suffix;
    if (std::filesystem::exists(file, ec)) {
      std::filesystem::permissions(
          file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
          std::filesystem::perm_options::replace, ec);
      if (ec) return fail("restricting " + file.string() + " to its owner: " + ec.message());
    }
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*db), path));
  if (auto r = store->migrate(); !r) return fail("migrate " + path, r.error());
  if (options.background_checkpoints) {
    auto checkpointer = sqlite::WalCheckpointer::start(path);
    if (!checkpointer) return fail("checkpointing " + path, checkpointer.error());
    store->checkpointer_ = std::move(*checkpointer);
  }
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

Result<std::vector<EnrollmentToken>> SqliteStore::list_enrollment_tokens() {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT id, token_hash, created_at, expires_at, max_uses, uses, created_by, revoked_at "
      "FROM enrollment_tokens ORDER BY created_at DESC, id");
  if (!st) return tl::unexpected(st.error());
  std::vector<EnrollmentToken> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    EnrollmentToken t;
    t.id = st->column_text(0);
    t.token_hash = st->column_text(1);
    t.created_at = from_ms(st->column_int(2));
    t.expires_at = from_ms(st->column_int(3));
    t.max_uses = static_cast<int>(st->column_int(4));
    t.uses = static_cast<int>(st->column_int(5));
    t.created_by = st->column_text(6);
    t.revoked_at = from_optional_ms(st->column_optional_int(7));
    out.push_back(std::move(t));
  }
  return out;
}

Result<void> SqliteStore::revoke_enrollment_token(std::string_view id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "UPDATE enrollment_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, to_ms(when)).bind(2, id);
  if (auto r = st->run(); !r) return r;
  if (db_->changes() == 0) {
    return fail(ErrorCode::kNotFound, "no enrollment token " + std::string(id));
  }
  return {};
}

namespace {

// The id of the enrollment token with this hash when it may enroll one more device at `now`;
// kDenied with the reason otherwise.
Result<std::string> usable_enrollment_token(sqlite::Database& db, std::string_view token_hash,
                                            TimePoint now) {
  auto token = db.prepare(
      "SELECT id, expires_at, max_uses, uses, revoked_at IS NOT NULL FROM enrollment_tokens "
      "WHERE token_hash = ?");
  if (!token) return tl::unexpected(token.error());
  token->bind(1, token_hash);
  auto row = token->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return fail(ErrorCode::kDenied, "enrollment token is not valid");
  if (token->column_int(4) != 0) {
    return fail(ErrorCode::kDenied, "enrollment token was revoked; ask an admin for a new one");
  }
  if (from_ms(token->column_int(1)) <= now) {
    return fail(ErrorCode::kDenied, "enrollment token has expired; ask an admin for a new one");
  }
  if (token->column_int(3) >= token->column_int(2)) {
    return fail(ErrorCode::kDenied, "enrollment token has no uses left");
  }
  return token->column_text(0);
}

}  // namespace

Result<void> SqliteStore::check_enrollment_token(std::string_view token_hash, TimePoint now) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  auto id = usable_enrollment_token(*reader->get(), token_hash, now);
  if (!id) return tl::unexpected(id.error());
  return {};
}

Result<std::string> SqliteStore::enroll_device(std::string_view token_hash, const Device& device,
                                               TimePoint now) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<std::string> {
    auto usable = usable_enrollment_token(*db_, token_hash, now);
    if (!usable) return tl::unexpected(usable.error());
    const std::string token_id = *usable;
    auto use = db_->prepare("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ?");
    if (!use) return tl::unexpected(use.error());
    use->bind(1, token_id);
    if (auto r = use->run(); !r) return tl::unexpected(r.error());
    auto insert = db_->prepare(
        "INSERT INTO devices(id, hostname, certificate_sha256, enrolled_at, "
        "enrollment_token_id) VALUES (?,?,?,?,?)");
    if (!insert) return tl::unexpected(insert.error());
    insert->bind(1, device.id)
        .bind(2, device.hostname)
        .bind(3, device.certificate_sha256)
        .bind(4, to_ms(device.enrolled_at))
        .bind(5, token_id);
    if (auto r = insert->run(); !r) return tl::unexpected(r.error());
    return token_id;
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

Result<Device> SqliteStore::update_device(std::string_view id, const DeviceUpdate& update) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<Device> {
    if (update.owner) {
      auto st = db_->prepare("UPDATE devices SET owner = ? WHERE id = ?");
      if (!st) return tl::unexpected(st.error());
      st->bind(1, *update.owner).bind(2, id);
      if (auto r = st->run(); !r) return tl::unexpected(r.error());
    }
    if (update.tags) {
      auto clear = db_->prepare("DELETE FROM device_tags WHERE device_id = ?");
      if (!clear) return tl::unexpected(clear.error());
      clear->bind(1, id);
      if (auto r = clear->run(); !r) return tl::unexpected(r.error());
      auto add = db_->prepare(
          "INSERT INTO device_tags(device_id, tag) SELECT id, ? FROM devices WHERE id = ? "
          "ON CONFLICT DO NOTHING");
      if (!add) return tl::unexpected(add.error());
      for (const auto& tag : *update.tags) {
        add->reset();
        add->bind(1, tag).bind(2, id);
        if (auto r = add->run(); !r) return tl::unexpected(r.error());
      }
    }
    auto st = db_->prepare(std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, id);
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(ErrorCode::kNotFound, "no device " + std::string(id));
    return read_device(*st);
  });
}

Result<std::int64_t> SqliteStore::insert_user(const User& user) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "INSERT INTO users(name, role, password_hash, created_at, disabled, kind, "
      "must_change_password) VALUES (?,?,?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, user.name)
      .bind(2, role_name(user.role))
      .bind(3, user.password_hash)
      .bind(4, to_ms(user.created_at))
      .bind(5, std::int64_t{user.disabled ? 1 : 0})
      .bind(6, user_kind_name(user.kind))
      .bind(7, std::int64_t{user.must_change_password ? 1 : 0});
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
  auto st = db->prepare(std::string("SELECT ") + kUserColumns + " FROM users WHERE " +
                        std::string(where_sql));
  if (!st) return tl::unexpected(st.error());
  bind(*st);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<User>();
  return std::optional<User>(read_user(*st));
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
      "INSERT INTO api_sessions(token_hash, user_id, created_at, expires_at, kind, csrf_hash) "
      "VALUES (?,?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, session.token_hash)
      .bind(2, session.user_id)
      .bind(3, to_ms(session.created_at))
      .bind(4, to_ms(session.expires_at))
      .bind(5, session_kind_name(session.kind))
      .bind(6, session.csrf_hash);
  return st->run();
}

Result<std::optional<ApiSession>> SqliteStore::find_session(std::string_view token_hash,
                                                            TimePoint now) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  sqlite::Database* db = reader->get();
  auto st = db->prepare(
      "SELECT token_hash, user_id, created_at, expires_at, kind, csrf_hash FROM api_sessions "
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
  s.kind = st->column_text(4) == "cookie" ? SessionKind::kCookie : SessionKind::kBearer;
  s.csrf_hash = st->column_text(5);
  return std::optional<ApiSession>(std::move(s));
}

Result<bool> SqliteStore::store_report(const StoredReport& report) {
  auto stored = store_reports({report});
  if (!stored) return tl::unexpected(stored.error());
  return stored->front();
}

Result<std::vector<bool>> SqliteStore::store_reports(const std::vector<StoredReport>& reports) {
  IngestBatch batch;
  batch.reports = reports;
  return store_ingest(batch);
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

// --- Authentication hardening: login throttling, sessions, API tokens, user admin. ---

Result<LoginThrottleState> SqliteStore::update_login_throttle(
    std::string_view name, TimePoint now,
    const std::function<LoginThrottleState(LoginThrottleState)>& update) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<LoginThrottleState> {
    auto prune =
        db_->prepare("DELETE FROM login_throttle WHERE updated_at < ? AND locked_until < ?");
    if (!prune) return tl::unexpected(prune.error());
    prune->bind(1, to_ms(now - kThrottleRetention)).bind(2, to_ms(now));
    if (auto r = prune->run(); !r) return tl::unexpected(r.error());

    auto read = db_->prepare(
        "SELECT failures, lockouts, locked_until, updated_at FROM login_throttle WHERE name = ?");
    if (!read) return tl::unexpected(read.error());
    read->bind(1, name);
    auto row = read->step();
    if (!row) return tl::unexpected(row.error());
    LoginThrottleState state;
    if (*row) {
      state.failures = static_cast<int>(read->column_int(0));
      state.lockouts = static_cast<int>(read->column_int(1));
      state.locked_until = from_ms(read->column_int(2));
      state.updated_at = from_ms(read->column_int(3));
    }
    auto next = update(state);
    if (next.failures == 0 && next.lockouts == 0 && next.locked_until == TimePoint{}) {
      auto del = db_->prepare("DELETE FROM login_throttle WHERE name = ?");
      if (!del) return tl::unexpected(del.error());
      del->bind(1, name);
      if (auto r = del->run(); !r) return tl::unexpected(r.error());
      return next;
    }
    auto write = db_->prepare(
        "INSERT INTO login_throttle(name, failures, lockouts, locked_until, updated_at) "
        "VALUES (?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET failures = excluded.failures, "
        "lockouts = excluded.lockouts, locked_until = excluded.locked_until, "
        "updated_at = excluded.updated_at");
    if (!write) return tl::unexpected(write.error());
    write->bind(1, name)
        .bind(2, std::int64_t{next.failures})
        .bind(3, std::int64_t{next.lockouts})
        .bind(4, to_ms(next.locked_until))
        .bind(5, to_ms(next.updated_at));
    if (auto r = write->run(); !r) return tl::unexpected(r.error());
    return next;
  });
}

Result<std::optional<LoginThrottleState>> SqliteStore::find_login_throttle(std::string_view name) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT failures, lockouts, locked_until, updated_at FROM login_throttle WHERE name = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, name);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<LoginThrottleState>();
  LoginThrottleState state;
  state.failures = static_cast<int>(st->column_int(0));
  state.lockouts = static_cast<int>(st->column_int(1));
  state.locked_until = from_ms(st->column_int(2));
  state.updated_at = from_ms(st->column_int(3));
  return std::optional<LoginThrottleState>(state);
}

Result<void> SqliteStore::delete_session(std::string_view token_hash) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare("DELETE FROM api_sessions WHERE token_hash = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, token_hash);
  return st->run();
}

Result<void> SqliteStore::insert_api_token(const ApiToken& t) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "INSERT INTO api_tokens(id, token_hash, user_id, name, created_at, expires_at, created_by) "
      "VALUES (?,?,?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, t.id)
      .bind(2, t.token_hash)
      .bind(3, t.user_id)
      .bind(4, t.name)
      .bind(5, to_ms(t.created_at))
      .bind(6, to_ms(t.expires_at))
      .bind(7, t.created_by);
  return st->run();
}

Result<std::optional<ApiToken>> SqliteStore::find_api_token(std::string_view token_hash) {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kApiTokenColumns +
                                   " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                   "WHERE t.token_hash = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, token_hash);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<ApiToken>();
  return std::optional<ApiToken>(read_api_token(*st));
}

Result<std::vector<ApiToken>> SqliteStore::list_api_tokens() {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kApiTokenColumns +
                                   " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                   "ORDER BY t.created_at DESC, t.id");
  if (!st) return tl::unexpected(st.error());
  std::vector<ApiToken> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(read_api_token(*st));
  }
  return out;
}

Result<void> SqliteStore::revoke_api_token(std::string_view id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, to_ms(when)).bind(2, id);
  if (auto r = st->run(); !r) return r;
  if (db_->changes() == 0) return fail(ErrorCode::kNotFound, "no API token " + std::string(id));
  return {};
}

Result<void> SqliteStore::touch_api_token(std::string_view id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, to_ms(when)).bind(2, id);
  return st->run();
}

Result<std::vector<User>> SqliteStore::list_users() {
  auto reader = readers_.acquire();
  if (!reader) return tl::unexpected(reader.error());
  auto st =
      reader->get()->prepare(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name");
  if (!st) return tl::unexpected(st.error());
  std::vector<User> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(read_user(*st));
  }
  return out;
}

Result<User> SqliteStore::update_user(std::int64_t id, const UserUpdate& update, TimePoint now) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<User> {
    if (update.role) {
      auto st = db_->prepare("UPDATE users SET role = ? WHERE id = ?");
      if (!st) return tl::unexpected(st.error());
      st->bind(1, role_name(*update.role)).bind(2, id);
      if (auto r = st->run(); !r) return tl::unexpected(r.error());
    }
    if (update.disabled) {
      auto st = db_->prepare("UPDATE users SET disabled = ? WHERE id = ?");
      if (!st) return tl::unexpected(st.error());
      st->bind(1, std::int64_t{*update.disabled ? 1 : 0}).bind(2, id);
      if (auto r = st->run(); !r) return tl::unexpected(r.error());
    }
    if (update.must_change_password) {
      auto st = db_->prepare("UPDATE users SET must_change_password = ? WHERE id = ?");
      if (!st) return tl::unexpected(st.error());
      st->bind(1, std::int64_t{*update.must_change_password ? 1 : 0}).bind(2, id);
      if (auto r = st->run(); !r) return tl::unexpected(r.error());
    }
    if (update.disabled.value_or(false)) {
      // Disabling ends every way in at once, not at the next expiry.
      auto sessions = db_->prepare("DELETE FROM api_sessions WHERE user_id = ?");
      if (!sessions) return tl::unexpected(sessions.error());
      sessions->bind(1, id);
      if (auto r = sessions->run(); !r) return tl::unexpected(r.error());
      auto tokens = db_->prepare(
          "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL");
      if (!tokens) return tl::unexpected(tokens.error());
      tokens->bind(1, to_ms(now)).bind(2, id);
      if (auto r = tokens->run(); !r) return tl::unexpected(r.error());
    }
    auto st = db_->prepare(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, id);
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(ErrorCode::kNotFound, "no user with id " + std::to_string(id));
    return read_user(*st);
  });
}

Result<void> SqliteStore::set_password(std::int64_t user_id, std::string_view password_hash,
                                       std::string_view keep_session_hash) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto st = db_->prepare(
        "UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ? AND kind = "
        "'person'");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, password_hash).bind(2, user_id);
    if (auto r = st->run(); !r) return r;
    if (db_->changes() == 0) {
      return fail(ErrorCode::kNotFound, "no person with id " + std::to_string(user_id));
    }
    // Whoever knew the old password is signed out everywhere else.
    auto sessions = db_->prepare("DELETE FROM api_sessions WHERE user_id = ? AND token_hash != ?");
    if (!sessions) return tl::unexpected(sessions.error());
    sessions->bind(1, user_id).bind(2, keep_session_hash);
    return sessions->run();
  });
}

// --- end of authentication hardening. ---

}  // namespace triage::collector
