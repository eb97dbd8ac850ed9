// PostgreSQL: staff accounts, login throttling, login sessions and API tokens.
#include "collector/storage/postgres/pg_auth_repository.hpp"

#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using postgres::done;
using postgres::Rows;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

constexpr std::string_view kUserSelect =
    "SELECT id, name, role, password_hash, created_at, disabled, kind, must_change_password, "
    "totp_secret, totp_pending, totp_last_step, source, directory_checked_at FROM users ";

User read_user(const Rows& r, int i) {
  User u;
  u.id = r.int64(i, 0);
  u.name = r.text(i, 1);
  // An unknown role in the database grants the least, never more.
  u.role = parse_role(r.text(i, 2)).value_or(Role::kViewer);
  u.password_hash = r.text(i, 3);
  u.created_at = from_ms(r.int64(i, 4));
  u.disabled = r.boolean(i, 5);
  // An unknown kind is a service account: it can do the least (no password, no orders).
  u.kind = parse_user_kind(r.text(i, 6)).value_or(UserKind::kService);
  u.must_change_password = r.boolean(i, 7);
  u.totp_secret = r.text(i, 8);
  u.totp_pending = r.text(i, 9);
  u.totp_last_step = r.int64(i, 10);
  // An unknown source is the directory's: no local password can ever sign it in.
  u.source = parse_user_source(r.text(i, 11)).value_or(UserSource::kLdap);
  u.directory_checked_at = from_optional_ms(r.optional_int64(i, 12));
  return u;
}

constexpr std::string_view kApiTokenSelect =
    "SELECT t.id, t.token_hash, t.user_id, u.name, t.name, t.created_at, t.expires_at, "
    "t.last_used_at, t.revoked_at, t.created_by FROM api_tokens t JOIN users u ON u.id = "
    "t.user_id ";

ApiToken read_api_token(const Rows& r, int i) {
  ApiToken t;
  t.id = r.text(i, 0);
  t.token_hash = r.text(i, 1);
  t.user_id = r.int64(i, 2);
  t.user_name = r.text(i, 3);
  t.name = r.text(i, 4);
  t.created_at = from_ms(r.int64(i, 5));
  t.expires_at = from_ms(r.int64(i, 6));
  t.last_used_at = from_optional_ms(r.optional_int64(i, 7));
  t.revoked_at = from_optional_ms(r.optional_int64(i, 8));
  t.created_by = r.text(i, 9);
  return t;
}

LoginThrottleState read_throttle(const Rows& r, int i) {
  LoginThrottleState state;
  state.failures = static_cast<int>(r.int64(i, 0));
  state.lockouts = static_cast<int>(r.int64(i, 1));
  state.locked_until = from_ms(r.int64(i, 2));
  state.updated_at = from_ms(r.int64(i, 3));
  return state;
}

constexpr auto kThrottleRetention = std::chrono::hours(24 * 7);

constexpr std::string_view kSessionSelect =
    "SELECT token_hash, user_id, created_at, expires_at, kind, csrf_hash, last_seen_at, source, "
    "user_agent, method FROM api_sessions ";

ApiSession read_session(const Rows& r, int i) {
  ApiSession session;
  session.token_hash = r.text(i, 0);
  session.user_id = r.int64(i, 1);
  session.created_at = from_ms(r.int64(i, 2));
  session.expires_at = from_ms(r.int64(i, 3));
  session.kind = r.text(i, 4) == "cookie" ? SessionKind::kCookie : SessionKind::kBearer;
  session.csrf_hash = r.text(i, 5);
  session.last_seen_at = from_optional_ms(r.optional_int64(i, 6));
  session.source = r.text(i, 7);
  session.user_agent = r.text(i, 8);
  session.method = r.text(i, 9);
  return session;
}

Result<std::optional<User>> first_user(Result<Rows> r) {
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<User>();
  return std::optional<User>(read_user(*r, 0));
}

}  // namespace

Result<std::optional<User>> PgAuthRepository::find_user_by_name(std::string_view name) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return first_user((*conn)->query(std::string(kUserSelect) + "WHERE name = $1", name));
}

Result<std::optional<User>> PgAuthRepository::find_user(std::int64_t id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return first_user((*conn)->query(std::string(kUserSelect) + "WHERE id = $1", id));
}

Result<std::vector<User>> PgAuthRepository::list_users() {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(std::string(kUserSelect) + "ORDER BY name COLLATE \"C\"");
  if (!r) return tl::unexpected(r.error());
  std::vector<User> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_user(*r, i));
  return out;
}

Result<std::int64_t> PgAuthRepository::insert_user(const User& user) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // ON CONFLICT: a taken name is an answer, not an error that would end the transaction.
  auto r = (*conn)->query(
      "INSERT INTO users(name, role, password_hash, created_at, disabled, kind, "
      "must_change_password, source, directory_checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "$8, $9) ON CONFLICT (name) DO NOTHING RETURNING id",
      user.name, role_name(user.role), user.password_hash, to_ms(user.created_at), user.disabled,
      user_kind_name(user.kind), user.must_change_password, user_source_name(user.source),
      to_optional_ms(user.directory_checked_at));
  if (!r) return tl::unexpected(r.error());
  if (r->empty())
    return fail(ErrorCode::kConflict, "a user named " + user.name + " exists already");
  return r->int64(0, 0);
}

Result<void> PgAuthRepository::insert_session(const ApiSession& session) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return done((*conn)->query(
      "INSERT INTO api_sessions(token_hash, user_id, created_at, expires_at, kind, csrf_hash, "
      "source, user_agent, method) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      session.token_hash, session.user_id, to_ms(session.created_at), to_ms(session.expires_at),
      session_kind_name(session.kind), session.csrf_hash, session.source, session.user_agent,
      session.method));
}

Result<std::optional<ApiSession>> PgAuthRepository::find_session(std::string_view token_hash,
                                                                 TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(std::string(kSessionSelect) + "WHERE token_hash = $1 AND expires_at > $2",
                          token_hash, to_ms(now));
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<ApiSession>();
  return std::optional<ApiSession>(read_session(*r, 0));
}

Result<void> PgAuthRepository::delete_session(std::string_view token_hash) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return done((*conn)->query("DELETE FROM api_sessions WHERE token_hash = $1", token_hash));
}

Result<LoginThrottleState> PgAuthRepository::update_login_throttle(
    std::string_view name, TimePoint now,
    const std::function<LoginThrottleState(LoginThrottleState)>& update) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  if (auto r =
          (*conn)->query("DELETE FROM login_throttle WHERE updated_at < $1 AND locked_until < $2",
                         to_ms(now - kThrottleRetention), to_ms(now));
      !r) {
    return tl::unexpected(r.error());
  }
  // The name's row exists before it is read, so the read can lock it: two failed logins on
  // two nodes at once count two failures, not one. A row made here is a default state.
  auto made = (*conn)->query(
      "INSERT INTO login_throttle(name, updated_at) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING",
      name);
  if (!made) return tl::unexpected(made.error());
  auto read = (*conn)->query(
      "SELECT failures, lockouts, locked_until, updated_at FROM login_throttle WHERE name = $1 "
      "FOR UPDATE",
      name);
  if (!read) return tl::unexpected(read.error());
  const LoginThrottleState stored =
      made->affected() == 1 || read->empty() ? LoginThrottleState{} : read_throttle(*read, 0);
  auto next = update(stored);
  if (next.failures == 0 && next.lockouts == 0 && next.locked_until == TimePoint{}) {
    if (auto r = (*conn)->query("DELETE FROM login_throttle WHERE name = $1", name); !r) {
      return tl::unexpected(r.error());
    }
    return next;
  }
  if (auto r = (*conn)->query(
          "INSERT INTO login_throttle(name, failures, lockouts, locked_until, updated_at) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET failures = "
          "excluded.failures, lockouts = excluded.lockouts, locked_until = excluded.locked_until, "
          "updated_at = excluded.updated_at",
          name, next.failures, next.lockouts, to_ms(next.locked_until), to_ms(next.updated_at));
      !r) {
    return tl::unexpected(r.error());
  }
  return next;
}

Result<std::optional<LoginThrottleState>> PgAuthRepository::find_login_throttle(
    std::string_view name) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT failures, lockouts, locked_until, updated_at FROM login_throttle WHERE name = $1",
      name);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<LoginThrottleState>();
  return std::optional<LoginThrottleState>(read_throttle(*r, 0));
}

Result<LoginClientThrottle> PgAuthRepository::update_login_client_throttle(
    std::string_view client, TimePoint now,
    const std::function<LoginClientThrottle(std::optional<LoginClientThrottle>)>& update) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // SKIP LOCKED: rows another node is updating right now are pruned another time, not waited for.
  if (auto r = (*conn)->query(
          "DELETE FROM login_client_throttle WHERE client IN (SELECT client FROM "
          "login_client_throttle WHERE full_at <= $1 AND client <> $2 FOR UPDATE SKIP LOCKED)",
          to_ms(now), client);
      !r) {
    return tl::unexpected(r.error());
  }
  // The client's row exists before it is read, so the read can lock it: failures of one
  // client on two nodes at once both count. A row made here stands for a full bucket.
  auto made = (*conn)->query(
      "INSERT INTO login_client_throttle(client, full_at) VALUES ($1, 0) "
      "ON CONFLICT (client) DO NOTHING",
      client);
  if (!made) return tl::unexpected(made.error());
  auto read = (*conn)->query(
      "SELECT full_at FROM login_client_throttle WHERE client = $1 FOR UPDATE", client);
  if (!read) return tl::unexpected(read.error());
  std::optional<LoginClientThrottle> stored;
  if (!read->empty() && from_ms(read->int64(0, 0)) > now) {
    stored = LoginClientThrottle{from_ms(read->int64(0, 0))};
  }
  auto next = update(stored);
  if (next.full_at <= now) {
    if (auto r = (*conn)->query("DELETE FROM login_client_throttle WHERE client = $1", client);
        !r) {
      return tl::unexpected(r.error());
    }
    return next;
  }
  if (auto r = (*conn)->query("UPDATE login_client_throttle SET full_at = $2 WHERE client = $1",
                              client, to_ms(next.full_at));
      !r) {
    return tl::unexpected(r.error());
  }
  return next;
}

Result<std::optional<LoginClientThrottle>> PgAuthRepository::find_login_client_throttle(
    std::string_view client) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query("SELECT full_at FROM login_client_throttle WHERE client = $1", client);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<LoginClientThrottle>();
  return std::optional<LoginClientThrottle>(LoginClientThrottle{from_ms(r->int64(0, 0))});
}

Result<void> PgAuthRepository::insert_api_token(const ApiToken& t) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return done((*conn)->query(
      "INSERT INTO api_tokens(id, token_hash, user_id, name, created_at, expires_at, created_by) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      t.id, t.token_hash, t.user_id, t.name, to_ms(t.created_at), to_ms(t.expires_at),
      t.created_by));
}

Result<std::optional<ApiToken>> PgAuthRepository::find_api_token(std::string_view token_hash) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(std::string(kApiTokenSelect) + "WHERE t.token_hash = $1", token_hash);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<ApiToken>();
  return std::optional<ApiToken>(read_api_token(*r, 0));
}

Result<std::vector<ApiToken>> PgAuthRepository::list_api_tokens() {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(std::string(kApiTokenSelect) + "ORDER BY t.created_at DESC, t.id");
  if (!r) return tl::unexpected(r.error());
  std::vector<ApiToken> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_api_token(*r, i));
  return out;
}

Result<void> PgAuthRepository::revoke_api_token(std::string_view id, TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2", to_ms(when), id);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) return fail(ErrorCode::kNotFound, "no API token " + std::string(id));
  return {};
}

Result<void> PgAuthRepository::touch_api_token(std::string_view id, TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return done(
      (*conn)->query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", to_ms(when), id));
}

Result<User> PgAuthRepository::update_user(std::int64_t id, const UserUpdate& update,
                                           TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  if (update.role) {
    if (auto r =
            (*conn)->query("UPDATE users SET role = $1 WHERE id = $2", role_name(*update.role), id);
        !r) {
      return tl::unexpected(r.error());
    }
  }
  if (update.disabled) {
    if (auto r =
            (*conn)->query("UPDATE users SET disabled = $1 WHERE id = $2", *update.disabled, id);
        !r) {
      return tl::unexpected(r.error());
    }
  }
  if (update.must_change_password) {
    if (auto r = (*conn)->query("UPDATE users SET must_change_password = $1 WHERE id = $2",
                                *update.must_change_password, id);
        !r) {
      return tl::unexpected(r.error());
    }
  }
  if (update.disabled.value_or(false)) {
    // Disabling ends every way in at once, not at the next expiry.
    if (auto r = (*conn)->query("DELETE FROM api_sessions WHERE user_id = $1", id); !r) {
      return tl::unexpected(r.error());
    }
    if (auto r = (*conn)->query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            to_ms(now), id);
        !r) {
      return tl::unexpected(r.error());
    }
  }
  auto user = first_user((*conn)->query(std::string(kUserSelect) + "WHERE id = $1", id));
  if (!user) return tl::unexpected(user.error());
  if (!*user) return fail(ErrorCode::kNotFound, "no user with id " + std::to_string(id));
  return std::move(**user);
}

Result<void> PgAuthRepository::record_directory_check(std::int64_t user_id, Role role,
                                                      TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto changed = (*conn)->query(
      "UPDATE users SET role = $1, directory_checked_at = $2 WHERE id = $3 AND source = 'ldap'",
      role_name(role), to_ms(when), user_id);
  if (!changed) return tl::unexpected(changed.error());
  if (changed->affected() == 0) {
    return fail(ErrorCode::kNotFound, "no directory user with id " + std::to_string(user_id));
  }
  return {};
}

Result<void> PgAuthRepository::end_user_access(std::int64_t user_id, TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // Both statements run in the caller's write transaction (the connector's connection).
  if (auto r = (*conn)->query("DELETE FROM api_sessions WHERE user_id = $1", user_id); !r) {
    return tl::unexpected(r.error());
  }
  return done((*conn)->query(
      "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
      to_ms(when), user_id));
}

Result<void> PgAuthRepository::set_password(std::int64_t user_id, std::string_view password_hash,
                                            std::string_view keep_session_hash) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto changed = (*conn)->query(
      "UPDATE users SET password_hash = $1, must_change_password = false WHERE id = $2 AND "
      "kind = 'person' AND source = 'local'",
      password_hash, user_id);
  if (!changed) return tl::unexpected(changed.error());
  if (changed->affected() == 0) {
    return fail(ErrorCode::kNotFound, "no person with id " + std::to_string(user_id));
  }
  // Whoever knew the old password is signed out everywhere else.
  return done((*conn)->query("DELETE FROM api_sessions WHERE user_id = $1 AND token_hash <> $2",
                             user_id, keep_session_hash));
}

Result<void> PgAuthRepository::reset_password(std::int64_t user_id,
                                              std::string_view password_hash) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto changed = (*conn)->query(
      "UPDATE users SET password_hash = $1, must_change_password = true WHERE id = $2 AND "
      "kind = 'person' AND source = 'local'",
      password_hash, user_id);
  if (!changed) return tl::unexpected(changed.error());
  if (changed->affected() == 0) {
    return fail(ErrorCode::kNotFound, "no person with id " + std::to_string(user_id));
  }
  return done((*conn)->query("DELETE FROM api_sessions WHERE user_id = $1", user_id));
}

Result<void> PgAuthRepository::begin_totp(std::int64_t user_id, std::string_view secret_base32) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto changed = (*conn)->query(
      "UPDATE users SET totp_pending = $1 WHERE id = $2 AND kind = 'person' AND "
      "source = 'local'",
      secret_base32, user_id);
  if (!changed) return tl::unexpected(changed.error());
  if (changed->affected() == 0) {
    return fail(ErrorCode::kNotFound, "no person with id " + std::to_string(user_id));
  }
  return {};
}

Result<void> PgAuthRepository::activate_totp(std::int64_t user_id, std::string_view secret_base32,
                                             std::int64_t step,
                                             const std::vector<std::string>& recovery_code_hashes) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto changed = (*conn)->query(
      "UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_last_step = $1 "
      "WHERE id = $2 AND totp_pending = $3 AND totp_pending <> ''",
      step, user_id, secret_base32);
  if (!changed) return tl::unexpected(changed.error());
  if (changed->affected() == 0) {
    return fail(ErrorCode::kConflict, "no such enrollment is waiting; start it again");
  }
  if (auto r = (*conn)->query("DELETE FROM recovery_codes WHERE user_id = $1", user_id); !r) {
    return tl::unexpected(r.error());
  }
  for (const auto& hash : recovery_code_hashes) {
    if (auto r = (*conn)->query("INSERT INTO recovery_codes(user_id, code_hash) VALUES ($1, $2)",
                                user_id, hash);
        !r) {
      return tl::unexpected(r.error());
    }
  }
  return {};
}

Result<bool> PgAuthRepository::accept_totp_step(std::int64_t user_id, std::int64_t step) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // One UPDATE: two nodes accepting the same code at once cannot both succeed.
  auto changed = (*conn)->query(
      "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1 AND "
      "totp_secret <> ''",
      step, user_id);
  if (!changed) return tl::unexpected(changed.error());
  return changed->affected() == 1;
}

Result<bool> PgAuthRepository::use_recovery_code(std::int64_t user_id, std::string_view code_hash,
                                                 TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto changed = (*conn)->query(
      "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND "
      "used_at IS NULL",
      to_ms(when), user_id, code_hash);
  if (!changed) return tl::unexpected(changed.error());
  return changed->affected() == 1;
}

Result<void> PgAuthRepository::remove_totp(std::int64_t user_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  if (auto r = (*conn)->query(
          "UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0 WHERE id = $1",
          user_id);
      !r) {
    return tl::unexpected(r.error());
  }
  return done((*conn)->query("DELETE FROM recovery_codes WHERE user_id = $1", user_id));
}

Result<int> PgAuthRepository::count_recovery_codes(std::int64_t user_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", user_id);
  if (!r) return tl::unexpected(r.error());
  return static_cast<int>(r->int64(0, 0));
}

Result<std::vector<ApiSession>> PgAuthRepository::list_sessions(std::int64_t user_id,
                                                                TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(std::string(kSessionSelect) +
                              "WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, "
                              "token_hash COLLATE \"C\"",
                          user_id, to_ms(now));
  if (!r) return tl::unexpected(r.error());
  std::vector<ApiSession> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_session(*r, i));
  return out;
}

Result<bool> PgAuthRepository::delete_user_session(std::int64_t user_id, std::string_view id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "DELETE FROM api_sessions WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2", user_id,
      id);
  if (!r) return tl::unexpected(r.error());
  return r->affected() > 0;
}

Result<void> PgAuthRepository::touch_session(std::string_view token_hash, TimePoint when) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return done((*conn)->query("UPDATE api_sessions SET last_seen_at = $1 WHERE token_hash = $2",
                             to_ms(when), token_hash));
}

}  // namespace triage::collector
