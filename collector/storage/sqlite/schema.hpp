#pragma once
// Versioned schema migrations, applied in order at open; PRAGMA user_version records progress.

#include <array>
#include <string_view>

namespace triage::collector::schema {

inline constexpr std::array<std::string_view, 2> kMigrations = {
    // 1: enrollment, devices, users, sessions, reports.
    R"sql(
CREATE TABLE enrollment_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  max_uses INTEGER NOT NULL,
  uses INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  hostname TEXT NOT NULL DEFAULT '',
  certificate_sha256 TEXT NOT NULL,
  enrolled_at INTEGER NOT NULL,
  last_seen INTEGER,
  revoked_at INTEGER,
  agent_version TEXT NOT NULL DEFAULT '',
  os_pretty_name TEXT NOT NULL DEFAULT '',
  kernel TEXT NOT NULL DEFAULT '',
  arch TEXT NOT NULL DEFAULT '',
  enrollment_token_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX devices_hostname ON devices(hostname);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE api_sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
-- A rowid table: payloads are large (full snapshots), which WITHOUT ROWID handles poorly.
CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  payload BLOB NOT NULL,
  UNIQUE (device_id, seq)
);
CREATE INDEX reports_by_kind ON reports(device_id, kind, seq);
)sql",
    // 2: authentication hardening: login throttling, session kinds with CSRF, API tokens.
    R"sql(
CREATE TABLE login_throttle (
  name TEXT PRIMARY KEY,
  failures INTEGER NOT NULL DEFAULT 0,
  lockouts INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE INDEX login_throttle_by_age ON login_throttle(updated_at);
ALTER TABLE api_sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'bearer';
ALTER TABLE api_sessions ADD COLUMN csrf_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX api_sessions_by_user ON api_sessions(user_id);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER,
  created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_tokens_by_user ON api_tokens(user_id);
)sql",
};

}  // namespace triage::collector::schema
