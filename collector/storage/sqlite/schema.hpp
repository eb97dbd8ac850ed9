#pragma once
// Versioned schema migrations, applied in order at open; PRAGMA user_version records progress.

#include <array>
#include <string_view>

namespace triage::collector::schema {

inline constexpr std::array<std::string_view, 22> kMigrations = {
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
    // 2: tickets, their timeline, attachments, enrichments; the fleet's current findings.
    R"sql(
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  requester TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  tier INTEGER NOT NULL,
  queue TEXT NOT NULL,
  assignee TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  external_system TEXT,
  external_id TEXT,
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  response_due_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  first_response_at INTEGER,
  resolved_at INTEGER,
  closed_at INTEGER,
  version INTEGER NOT NULL DEFAULT 0,
  UNIQUE (external_system, external_id)
);
-- The queue view: open work by priority, then by SLA due time.
CREATE INDEX tickets_queue ON tickets(status, priority, due_at);
-- Priority-ordered lists filtered by status read only this index, then fetch one page.
CREATE INDEX tickets_priority ON tickets(priority, due_at, status);
CREATE INDEX tickets_created ON tickets(created_at);
CREATE INDEX tickets_assignee ON tickets(assignee, status);
CREATE TABLE ticket_devices (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  device_id TEXT NOT NULL REFERENCES devices(id),
  linked_at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, device_id)
);
CREATE INDEX ticket_devices_by_device ON ticket_devices(device_id);
CREATE TABLE ticket_events (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  visibility TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX ticket_events_by_ticket ON ticket_events(ticket_id, id);
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  kind TEXT NOT NULL,
  visibility TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  content BLOB NOT NULL
);
CREATE INDEX attachments_by_ticket ON attachments(ticket_id);
-- Attachments are evidence: the database refuses to change them.
CREATE TRIGGER attachments_immutable BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are immutable'); END;
CREATE TABLE enrichments (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  device_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  source TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  snapshot_at INTEGER,
  report_seq INTEGER NOT NULL DEFAULT 0,
  attachment_id INTEGER,
  findings TEXT NOT NULL,
  changes TEXT NOT NULL,
  comparison TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX enrichments_by_ticket ON enrichments(ticket_id, id);
CREATE TABLE device_findings (
  device_id TEXT NOT NULL REFERENCES devices(id),
  rule_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  evidence TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (device_id, rule_id, subject)
);
CREATE INDEX device_findings_by_rule ON device_findings(rule_id, first_seen);
CREATE INDEX reports_by_time ON reports(device_id, kind, received_at);
)sql",
    // 3: authentication hardening: login throttling, session kinds with CSRF, API tokens.
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
    // 4: problems: one incident behind many tickets, from a fleet finding.
    R"sql(
CREATE TABLE problems (
  id INTEGER PRIMARY KEY,
  rule_id TEXT NOT NULL,
  title TEXT NOT NULL,
  open INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  resolved_at INTEGER,
  resolved_by TEXT NOT NULL DEFAULT '',
  resolution TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX problems_one_open_per_rule ON problems(rule_id) WHERE open = 1;
CREATE TABLE ticket_problems (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  problem_id INTEGER NOT NULL REFERENCES problems(id),
  linked_at INTEGER NOT NULL,
  linked_by TEXT NOT NULL,
  PRIMARY KEY (problem_id, ticket_id)
) WITHOUT ROWID;
CREATE INDEX ticket_problems_by_ticket ON ticket_problems(ticket_id);
)sql",
    // 5: the audit log, hash-chained (collector/audit/audit_chain.hpp), and its signed
    // checkpoints. Both refuse UPDATE and DELETE: rows are only ever appended.
    R"sql(
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  source TEXT NOT NULL,
  type TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_type ON audit_log(type, seq);
CREATE INDEX audit_log_by_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_by_target ON audit_log(target, seq);
CREATE INDEX audit_log_by_time ON audit_log(at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  at INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
)sql",
    // 6: each device's materialized current state, metric history, owner and tags.
    R"sql(
CREATE TABLE device_state (
  device_id TEXT PRIMARY KEY REFERENCES devices(id),
  seq INTEGER NOT NULL,
  base_seq INTEGER NOT NULL,
  as_of INTEGER NOT NULL,
  stale INTEGER NOT NULL DEFAULT 0,
  gap_seq INTEGER NOT NULL DEFAULT 0,
  -- Last: reading the head without the snapshot never touches its overflow pages.
  snapshot BLOB NOT NULL
);
-- Charts read one device's metric over a time range: the key is exactly that.
CREATE TABLE metric_points (
  device_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  t INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (device_id, metric, t)
) WITHOUT ROWID;
CREATE INDEX metric_points_by_time ON metric_points(t);
ALTER TABLE devices ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX devices_owner ON devices(owner);
CREATE TABLE device_tags (
  device_id TEXT NOT NULL REFERENCES devices(id),
  tag TEXT NOT NULL,
  PRIMARY KEY (device_id, tag)
) WITHOUT ROWID;
CREATE INDEX device_tags_by_tag ON device_tags(tag);
-- Retention finds old deltas by time across devices.
CREATE INDEX reports_delta_age ON reports(received_at) WHERE kind = 'delta';
)sql",
    // 7: remediation orders and their streamed output.
    R"sql(
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  device_id TEXT NOT NULL REFERENCES devices(id),
  action_id TEXT NOT NULL,
  action_version INTEGER NOT NULL,
  definition_sha256 TEXT NOT NULL,
  params TEXT NOT NULL,
  argv TEXT NOT NULL,
  risk TEXT NOT NULL,
  timeout_s INTEGER NOT NULL,
  output_cap_bytes INTEGER NOT NULL,
  requested_by TEXT NOT NULL,
  approved_by TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER,
  sent_at INTEGER,
  finished_at INTEGER,
  signed_order BLOB NOT NULL DEFAULT x'',
  result TEXT NOT NULL DEFAULT '{}'
);
-- A device's queue (state, oldest first), a ticket's orders, and the expiry sweep.
CREATE INDEX orders_by_device ON orders(device_id, state, created_at);
CREATE INDEX orders_by_ticket ON orders(ticket_id, created_at);
CREATE INDEX orders_by_state ON orders(state, created_at);
CREATE TABLE order_output (
  id INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  stream TEXT NOT NULL,
  chunk_index INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (order_id, stream, chunk_index)
);
)sql",
    // 8: integrations: targets (webhook subscriptions, ...) and the outbox with delivery state.
    R"sql(
CREATE TABLE integration_targets (
  id INTEGER PRIMARY KEY,
  connector TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL,
  event_types TEXT NOT NULL,
  internal INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  disabled_reason TEXT NOT NULL DEFAULT '',
  secret TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX integration_targets_by_connector ON integration_targets(connector, id);
CREATE TABLE outbox_messages (
  id INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL UNIQUE,
  event_id TEXT NOT NULL,
  target_id INTEGER NOT NULL REFERENCES integration_targets(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL,
  ticket_id INTEGER,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_attempt_at INTEGER,
  last_http_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  delivered_at INTEGER,
  UNIQUE (target_id, event_id)
);
-- The head of each target's queue: its oldest pending message.
CREATE INDEX outbox_pending_by_target ON outbox_messages(status, target_id, id);
-- The delivery log of one target, newest first.
CREATE INDEX outbox_by_target ON outbox_messages(target_id, id);
)sql",
    // 9: custom actions managed over the API: the definition text as uploaded, and its hash.
    R"sql(
CREATE TABLE custom_actions (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql",
    // 10: who asked to cancel an order already sent to its device, and why.
    R"sql(
ALTER TABLE orders ADD COLUMN cancel_requested_by TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
)sql",
    // 11: enrollment tokens can be revoked before they expire or run out of uses.
    R"sql(
ALTER TABLE enrollment_tokens ADD COLUMN revoked_at INTEGER;
)sql",
    // 12: connector-specific settings of an integration target (e.g. Request Tracker's queue
    // and the external system name its linked tickets carry), as a JSON object.
    R"sql(
ALTER TABLE integration_targets ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
)sql",
    // 13: the key a ticket came in under (an endpoint's help request, an external helpdesk's
    // ticket), kept for good: its external link may later point elsewhere (Request Tracker),
    // and a resent request must still find its ticket.
    R"sql(
CREATE TABLE ticket_origin_keys (
  system TEXT NOT NULL,
  external_id TEXT NOT NULL,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  PRIMARY KEY (system, external_id)
) WITHOUT ROWID;
INSERT INTO ticket_origin_keys(system, external_id, ticket_id)
  SELECT external_system, external_id, id FROM tickets
  WHERE external_system IS NOT NULL AND external_system != ''
    AND external_id IS NOT NULL AND external_id != '';
)sql",
    // 14: when an order's first output reached the collector (the latency staff feel between
    // "run" and seeing something happen).
    R"sql(
ALTER TABLE orders ADD COLUMN first_output_at INTEGER;
)sql",
    // 15: custom action changes proposed by one admin, activated only when a second person
    // approves (at most one pending proposal per action id).
    R"sql(
CREATE TABLE catalog_proposals (
  id INTEGER PRIMARY KEY,
  action_id TEXT NOT NULL,
  change TEXT NOT NULL,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  base_sha256 TEXT NOT NULL,
  status TEXT NOT NULL,
  proposed_by TEXT NOT NULL,
  proposed_by_id INTEGER NOT NULL,
  proposed_credential TEXT NOT NULL,
  proposed_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_by_id INTEGER,
  decided_credential TEXT,
  decided_at INTEGER,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX catalog_proposals_one_pending ON catalog_proposals(action_id)
  WHERE status = 'pending';
)sql",
    // 16: staff identity: service accounts (no password), forced password changes, and the
    // credential an order was requested and approved with.
    R"sql(
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'person';
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN requested_credential TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN approved_credential TEXT NOT NULL DEFAULT '';
)sql",
    // 17: failed logins per client address, in the store (shared by every collector node on
    // PostgreSQL; the same here): a token bucket as the time it is full again.
    R"sql(
CREATE TABLE login_client_throttle (
  client TEXT PRIMARY KEY,
  full_at INTEGER NOT NULL
);
CREATE INDEX login_client_throttle_by_full_at ON login_client_throttle(full_at);
)sql",
    // 18: the platform an agent's hello names ("linux", "windows").
    R"sql(
ALTER TABLE devices ADD COLUMN platform TEXT NOT NULL DEFAULT '';
)sql",
    // 19: local accounts: a second factor (the TOTP secret in force, one awaiting its first
    // code, the last step a code was accepted in so a code counts once, recovery codes stored
    // hashed and each used once), and what a user sees of their sessions.
    R"sql(
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
CREATE TABLE recovery_codes (
  user_id INTEGER NOT NULL REFERENCES users(id),
  code_hash TEXT NOT NULL,
  used_at INTEGER,
  PRIMARY KEY (user_id, code_hash)
);
ALTER TABLE api_sessions ADD COLUMN last_seen_at INTEGER;
ALTER TABLE api_sessions ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE api_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE api_sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
)sql",
    // 20: staff who sign in with the company directory (LDAP / Active Directory): where a
    // person's identity lives, and when the directory last confirmed it (sessions are checked
    // again after [auth.ldap] recheck_seconds).
    R"sql(
ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
ALTER TABLE users ADD COLUMN directory_checked_at INTEGER;
)sql",
    // 21: live sessions (a technician watching a device second by second) and their samples,
    // kept with the session so any node can serve them and a ticket keeps its recording.
    // A rowid table for the samples: each is a JSON document of a few KiB, which WITHOUT
    // ROWID handles poorly.
    R"sql(
CREATE TABLE live_sessions (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  ticket_id INTEGER,
  started_by TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  ended_at INTEGER,
  end_reason TEXT NOT NULL DEFAULT '',
  samples INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX live_sessions_by_device ON live_sessions(device_id);
CREATE INDEX live_sessions_by_ticket ON live_sessions(ticket_id);
CREATE TABLE live_samples (
  session_id TEXT NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  sample TEXT NOT NULL,
  PRIMARY KEY (session_id, seq)
);
)sql",
    // 22: certificate renewal: the certificate a renewal replaced, accepted until the agent
    // connects with its successor.
    R"sql(
ALTER TABLE devices ADD COLUMN previous_certificate_sha256 TEXT NOT NULL DEFAULT '';
)sql",
};

}  // namespace triage::collector::schema
