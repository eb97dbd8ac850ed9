// SqliteStore: staff accounts, login throttling, login sessions and API tokens.
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

constexpr const char* kUserColumns =
    "id, name, role, password_hash, created_at, disabled, kind, must_change_password, "
    "totp_secret, totp_pending, totp_last_step, source, directory_checked_at";

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
  u.totp_secret = s.column_text(8);
  u.totp_pending = s.column_text(9);
  u.totp_last_step = s.column_int(10);
  // An unknown source is the directory's: no local password can ever sign it in.
  u.source = parse_user_source(s.column_text(11)).value_or(UserSource::kLdap);
  u.directory_checked_at = from_optional_ms(s.column_optional_int(12));
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

ApiSession read_session(const Statement& s) {
  ApiSession session;
  session.token_hash = s.column_text(0);
  session.user_id = s.column_int(1);
  session.created_at = from_ms(s.column_int(2));
  session.expires_at = from_ms(s.column_int(3));
  session.kind = s.column_text(4) == "cookie" ? SessionKind::kCookie : SessionKind::kBearer;
  session.csrf_hash = s.column_text(5);
  session.last_seen_at = from_optional_ms(s.column_optional_int(6));
  session.source = s.column_text(7);
  session.user_agent = s.column_text(8);
  session.method = s.column_text(9);
  return session;
}

constexpr const char* kSessionColumns =
    "token_hash, user_id, created_at, expires_at, kind, csrf_hash, last_seen_at, source, "
    "user_agent, method";

LoginThrottleState read_throttle(const Statement& s) {
  LoginThrottleState state;
  state.failures = static_cast<int>(s.column_int(0));
  state.lockouts = static_cast<int>(s.column_int(1));
  state.locked_until = from_ms(s.column_int(2));
  state.updated_at = from_ms(s.column_int(3));
  return state;
}

constexpr const char* kThrottleSelect =
    "SELECT failures, lockouts, locked_until, updated_at FROM login_throttle WHERE name = ?";

constexpr auto kThrottleRetention = std::chrono::hours(24 * 7);

LoginClientThrottle read_client_throttle(const Statement& s) {
  return LoginClientThrottle{from_ms(s.column_int(0))};
}

constexpr const char* kClientThrottleSelect =
    "SELECT full_at FROM login_client_throttle WHERE client = ?";

// The outcome of a write without its changed-rows count.
Result<void> done(const Result<int>& result) {
  if (!result) return tl::unexpected(result.error());
  return {};
}

}  // namespace

Result<std::int64_t> SqliteStore::insert_user(const User& user) {
  std::lock_guard lock(write_mutex_);
  auto r = db_->exec_with(
      "INSERT INTO users(name, role, password_hash, created_at, disabled, kind, "
      "must_change_password, source, directory_checked_at) VALUES (?,?,?,?,?,?,?,?,?)",
      user.name, role_name(user.role), user.password_hash, to_ms(user.created_at), user.disabled,
      user_kind_name(user.kind), user.must_change_password, user_source_name(user.source),
      to_optional_ms(user.directory_checked_at));
  if (!r) {
    if (r.error().code == ErrorCode::kConflict) {
      return fail(ErrorCode::kConflict, "a user named " + user.name + " exists already");
    }
    return tl::unexpected(r.error());
  }
  return sqlite3_last_insert_rowid(db_->handle());
}

Result<std::optional<User>> SqliteStore::find_user_where(
    std::string_view where_sql, const std::function<void(Statement&)>& bind) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(std::string("SELECT ") + kUserColumns + " FROM users WHERE " +
                                 std::string(where_sql));
  if (!st) return tl::unexpected(st.error());
  bind(*st);
  return st->first(read_user);
}

Result<std::optional<User>> SqliteStore::find_user_by_name(std::string_view name) {
  return find_user_where("name = ?", [&](Statement& s) { s.bind(1, name); });
}

Result<std::optional<User>> SqliteStore::find_user(std::int64_t id) {
  return find_user_where("id = ?", [&](Statement& s) { s.bind(1, id); });
}

Result<std::vector<User>> SqliteStore::list_users() {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st =
      reader->get()->query(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name");
  if (!st) return tl::unexpected(st.error());
  return st->rows(read_user);
}

Result<void> SqliteStore::insert_session(const ApiSession& session) {
  std::lock_guard lock(write_mutex_);
  return done(db_->exec_with(
      "INSERT INTO api_sessions(token_hash, user_id, created_at, expires_at, kind, csrf_hash, "
      "source, user_agent, method) VALUES (?,?,?,?,?,?,?,?,?)",
      session.token_hash, session.user_id, to_ms(session.created_at), to_ms(session.expires_at),
      session_kind_name(session.kind), session.csrf_hash, session.source, session.user_agent,
      session.method));
}

Result<std::optional<ApiSession>> SqliteStore::find_session(std::string_view token_hash,
                                                            TimePoint now) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(std::string("SELECT ") + kSessionColumns +
                                     " FROM api_sessions WHERE token_hash = ? AND expires_at > ?",
                                 token_hash, to_ms(now));
  if (!st) return tl::unexpected(st.error());
  return st->first(read_session);
}

Result<void> SqliteStore::delete_session(std::string_view token_hash) {
  std::lock_guard lock(write_mutex_);
  return done(db_->exec_with("DELETE FROM api_sessions WHERE token_hash = ?", token_hash));
}

Result<LoginThrottleState> SqliteStore::update_login_throttle(
    std::string_view name, TimePoint now,
    const std::function<LoginThrottleState(LoginThrottleState)>& update) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<LoginThrottleState> {
    if (auto r =
            db_->exec_with("DELETE FROM login_throttle WHERE updated_at < ? AND locked_until < ?",
                           to_ms(now - kThrottleRetention), to_ms(now));
        !r) {
      return tl::unexpected(r.error());
    }
    auto read = db_->query(kThrottleSelect, name);
    if (!read) return tl::unexpected(read.error());
    auto stored = read->first(read_throttle);
    if (!stored) return tl::unexpected(stored.error());
    auto next = update(stored->value_or(LoginThrottleState{}));
    if (next.failures == 0 && next.lockouts == 0 && next.locked_until == TimePoint{}) {
      if (auto r = db_->exec_with("DELETE FROM login_throttle WHERE name = ?", name); !r) {
        return tl::unexpected(r.error());
      }
      return next;
    }
    if (auto r = db_->exec_with(
            "INSERT INTO login_throttle(name, failures, lockouts, locked_until, updated_at) "
            "VALUES (?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET failures = excluded.failures, "
            "lockouts = excluded.lockouts, locked_until = excluded.locked_until, "
            "updated_at = excluded.updated_at",
            name, next.failures, next.lockouts, to_ms(next.locked_until), to_ms(next.updated_at));
        !r) {
      return tl::unexpected(r.error());
    }
    return next;
  });
}

Result<std::optional<LoginThrottleState>> SqliteStore::find_login_throttle(std::string_view name) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(kThrottleSelect, name);
  if (!st) return tl::unexpected(st.error());
  return st->first(read_throttle);
}

Result<LoginClientThrottle> SqliteStore::update_login_client_throttle(
    std::string_view client, TimePoint now,
    const std::function<LoginClientThrottle(std::optional<LoginClientThrottle>)>& update) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<LoginClientThrottle> {
    if (auto r = db_->exec_with("DELETE FROM login_client_throttle WHERE full_at <= ?", to_ms(now));
        !r) {
      return tl::unexpected(r.error());
    }
    auto read = db_->query(kClientThrottleSelect, client);
    if (!read) return tl::unexpected(read.error());
    auto stored = read->first(read_client_throttle);
    if (!stored) return tl::unexpected(stored.error());
    auto next = update(*stored);
    if (next.full_at <= now) {
      if (auto r = db_->exec_with("DELETE FROM login_client_throttle WHERE client = ?", client);
          !r) {
        return tl::unexpected(r.error());
      }
      return next;
    }
    if (auto r = db_->exec_with("INSERT INTO login_client_throttle(client, full_at) VALUES (?, ?) "
                                "ON CONFLICT(client) DO UPDATE SET full_at = excluded.full_at",
                                client, to_ms(next.full_at));
        !r) {
      return tl::unexpected(r.error());
    }
    return next;
  });
}

Result<std::optional<LoginClientThrottle>> SqliteStore::find_login_client_throttle(
    std::string_view client) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(kClientThrottleSelect, client);
  if (!st) return tl::unexpected(st.error());
  return st->first(read_client_throttle);
}

Result<void> SqliteStore::insert_api_token(const ApiToken& t) {
  std::lock_guard lock(write_mutex_);
  return done(db_->exec_with(
      "INSERT INTO api_tokens(id, token_hash, user_id, name, created_at, expires_at, created_by) "
      "VALUES (?,?,?,?,?,?,?)",
      t.id, t.token_hash, t.user_id, t.name, to_ms(t.created_at), to_ms(t.expires_at),
      t.created_by));
}

Result<std::optional<ApiToken>> SqliteStore::find_api_token(std::string_view token_hash) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(std::string("SELECT ") + kApiTokenColumns +
                                     " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                     "WHERE t.token_hash = ?",
                                 token_hash);
  if (!st) return tl::unexpected(st.error());
  return st->first(read_api_token);
}

Result<std::vector<ApiToken>> SqliteStore::list_api_tokens() {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(std::string("SELECT ") + kApiTokenColumns +
                                 " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                 "ORDER BY t.created_at DESC, t.id");
  if (!st) return tl::unexpected(st.error());
  return st->rows(read_api_token);
}

Result<void> SqliteStore::revoke_api_token(std::string_view id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", to_ms(when), id);
  if (!changed) return tl::unexpected(changed.error());
  if (*changed == 0) return fail(ErrorCode::kNotFound, "no API token " + std::string(id));
  return {};
}

Result<void> SqliteStore::touch_api_token(std::string_view id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  return done(
      db_->exec_with("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", to_ms(when), id));
}

Result<User> SqliteStore::update_user(std::int64_t id, const UserUpdate& update, TimePoint now) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<User> {
    if (update.role) {
      if (auto r =
              db_->exec_with("UPDATE users SET role = ? WHERE id = ?", role_name(*update.role), id);
          !r) {
        return tl::unexpected(r.error());
      }
    }
    if (update.disabled) {
      if (auto r =
              db_->exec_with("UPDATE users SET disabled = ? WHERE id = ?", *update.disabled, id);
          !r) {
        return tl::unexpected(r.error());
      }
    }
    if (update.must_change_password) {
      if (auto r = db_->exec_with("UPDATE users SET must_change_password = ? WHERE id = ?",
                                  *update.must_change_password, id);
          !r) {
        return tl::unexpected(r.error());
      }
    }
    if (update.disabled.value_or(false)) {
      // Disabling ends every way in at once, not at the next expiry.
      if (auto r = db_->exec_with("DELETE FROM api_sessions WHERE user_id = ?", id); !r) {
        return tl::unexpected(r.error());
      }
      if (auto r = db_->exec_with(
              "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
              to_ms(now), id);
          !r) {
        return tl::unexpected(r.error());
      }
    }
    auto st = db_->query(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", id);
    if (!st) return tl::unexpected(st.error());
    auto user = st->first(read_user);
    if (!user) return tl::unexpected(user.error());
    if (!*user) return fail(ErrorCode::kNotFound, "no user with id " + std::to_string(id));
    return std::move(**user);
  });
}

Result<void> SqliteStore::record_directory_check(std::int64_t user_id, Role role, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "UPDATE users SET role = ?, directory_checked_at = ? WHERE id = ? AND source = 'ldap'",
      role_name(role), to_ms(when), user_id);
  if (!changed) return tl::unexpected(changed.error());
  if (*changed == 0) {
    return fail(ErrorCode::kNotFound, "no directory user with id " + std::to_string(user_id));
  }
  return {};
}

Result<void> SqliteStore::end_user_access(std::int64_t user_id, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    if (auto r = db_->exec_with("DELETE FROM api_sessions WHERE user_id = ?", user_id); !r) {
      return tl::unexpected(r.error());
    }
    return done(db_->exec_with(
        "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        to_ms(when), user_id));
  });
}

Result<void> SqliteStore::set_password(std::int64_t user_id, std::string_view password_hash,
                                       std::string_view keep_session_hash) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto changed = db_->exec_with(
        "UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ? AND kind = "
        "'person' AND source = 'local'",
        password_hash, user_id);
    if (!changed) return tl::unexpected(changed.error());
    if (*changed == 0) {
      return fail(ErrorCode::kNotFound, "no person with id " + std::to_string(user_id));
    }
    // Whoever knew the old password is signed out everywhere else.
    return done(db_->exec_with("DELETE FROM api_sessions WHERE user_id = ? AND token_hash != ?",
                               user_id, keep_session_hash));
  });
}

Result<void> SqliteStore::reset_password(std::int64_t user_id, std::string_view password_hash) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto changed = db_->exec_with(
        "UPDATE users SET password_hash = ?, must_change_password = 1 WHERE id = ? AND kind = "
        "'person' AND source = 'local'",
        password_hash, user_id);
    if (!changed) return tl::unexpected(changed.error());
    if (*changed == 0) {
      return fail(ErrorCode::kNotFound, "no person with id " + std::to_string(user_id));
    }
    return done(db_->exec_with("DELETE FROM api_sessions WHERE user_id = ?", user_id));
  });
}

Result<void> SqliteStore::begin_totp(std::int64_t user_id, std::string_view secret_base32) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "UPDATE users SET totp_pending = ? WHERE id = ? AND kind = 'person' AND source = 'local'",
      secret_base32, user_id);
  if (!changed) return tl::unexpected(changed.error());
  if (*changed == 0)
    return fail(ErrorCode::kNotFound, "no person with id " + std::to_string(user_id));
  return {};
}

Result<void> SqliteStore::activate_totp(std::int64_t user_id, std::string_view secret_base32,
                                        std::int64_t step,
                                        const std::vector<std::string>& recovery_code_hashes) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto changed = db_->exec_with(
        "UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_last_step = ? "
        "WHERE id = ? AND totp_pending = ? AND totp_pending != ''",
        step, user_id, secret_base32);
    if (!changed) return tl::unexpected(changed.error());
    if (*changed == 0) {
      return fail(ErrorCode::kConflict, "no such enrollment is waiting; start it again");
    }
    if (auto r = db_->exec_with("DELETE FROM recovery_codes WHERE user_id = ?", user_id); !r) {
      return tl::unexpected(r.error());
    }
    for (const auto& hash : recovery_code_hashes) {
      if (auto r = db_->exec_with("INSERT INTO recovery_codes(user_id, code_hash) VALUES (?, ?)",
                                  user_id, hash);
          !r) {
        return tl::unexpected(r.error());
      }
    }
    return {};
  });
}

Result<bool> SqliteStore::accept_totp_step(std::int64_t user_id, std::int64_t step) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ? AND "
      "totp_secret != ''",
      step, user_id, step);
  if (!changed) return tl::unexpected(changed.error());
  return *changed == 1;
}

Result<bool> SqliteStore::use_recovery_code(std::int64_t user_id, std::string_view code_hash,
                                            TimePoint when) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS "
      "NULL",
      to_ms(when), user_id, code_hash);
  if (!changed) return tl::unexpected(changed.error());
  return *changed == 1;
}

Result<void> SqliteStore::remove_totp(std::int64_t user_id) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    if (auto r = db_->exec_with(
            "UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0 WHERE id = ?",
            user_id);
        !r) {
      return tl::unexpected(r.error());
    }
    return done(db_->exec_with("DELETE FROM recovery_codes WHERE user_id = ?", user_id));
  });
}

Result<int> SqliteStore::count_recovery_codes(std::int64_t user_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(
      "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", user_id);
  if (!st) return tl::unexpected(st.error());
  auto count = st->first([](const Statement& row) { return static_cast<int>(row.column_int(0)); });
  if (!count) return tl::unexpected(count.error());
  return count->value_or(0);
}

Result<std::vector<ApiSession>> SqliteStore::list_sessions(std::int64_t user_id, TimePoint now) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(std::string("SELECT ") + kSessionColumns +
                                     " FROM api_sessions WHERE user_id = ? AND expires_at > ? "
                                     "ORDER BY created_at DESC, token_hash",
                                 user_id, to_ms(now));
  if (!st) return tl::unexpected(st.error());
  return st->rows(read_session);
}

Result<bool> SqliteStore::delete_user_session(std::int64_t user_id, std::string_view id) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "DELETE FROM api_sessions WHERE user_id = ? AND substr(token_hash, 1, 16) = ?", user_id, id);
  if (!changed) return tl::unexpected(changed.error());
  return *changed > 0;
}

Result<void> SqliteStore::touch_session(std::string_view token_hash, TimePoint when) {
  std::lock_guard lock(write_mutex_);
  return done(db_->exec_with("UPDATE api_sessions SET last_seen_at = ? WHERE token_hash = ?",
                             to_ms(when), token_hash));
}

}  // namespace triage::collector
