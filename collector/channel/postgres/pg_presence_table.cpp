#include "collector/channel/postgres/pg_presence_table.hpp"

#include "collector/storage/postgres/pg_connection.hpp"
#include "collector/storage/postgres/pg_values.hpp"

namespace triage::collector::pg_presence {

namespace {

SessionRow session_at(const postgres::Rows& rows, int row) {
  return SessionRow{rows.text(row, 0), rows.text(row, 1),
                    static_cast<std::uint64_t>(rows.int64(row, 2)), rows.text(row, 3),
                    rows.int64(row, 4)};
}

}  // namespace

Result<bool> start_node(postgres::Connection& conn, const std::string& node,
                        const std::string& address, std::chrono::milliseconds lease) {
  auto started = [&]() -> Result<bool> {
    if (auto r = conn.exec("BEGIN"); !r) return tl::unexpected(r.error());
    auto held = conn.query(
        "SELECT lease_expires_at > triage_now_ms() FROM collector_nodes WHERE name = $1 "
        "FOR UPDATE",
        node);
    if (!held) return tl::unexpected(held.error());
    const bool live = !held->empty() && held->boolean(0, 0);
    if (auto r = conn.query("DELETE FROM device_sessions WHERE node = $1", node); !r) {
      return tl::unexpected(r.error());
    }
    // What was relayed to the previous run for its sessions stays: a device claims it when
    // it comes back (here or elsewhere). The rest (broadcasts, closes) meant that run only.
    if (auto r =
            conn.query("DELETE FROM channel_messages WHERE node = $1 AND kind <> 'send'", node);
        !r) {
      return tl::unexpected(r.error());
    }
    if (auto r = conn.query(
            "INSERT INTO collector_nodes(name, address, started_at, lease_expires_at) "
            "VALUES ($1, $2, triage_now_ms(), triage_now_ms() + $3) "
            "ON CONFLICT (name) DO UPDATE SET address = EXCLUDED.address, "
            "started_at = EXCLUDED.started_at, lease_expires_at = EXCLUDED.lease_expires_at",
            node, address, static_cast<std::int64_t>(lease.count()));
        !r) {
      return tl::unexpected(r.error());
    }
    if (auto r = conn.commit(); !r) return tl::unexpected(r.error());
    return live;
  }();
  if (!started) (void)conn.exec("ROLLBACK");
  return started;
}

Result<void> renew_lease(postgres::Connection& conn, const std::string& node,
                         const std::string& address, std::chrono::milliseconds lease) {
  return postgres::done(
      conn.query("INSERT INTO collector_nodes(name, address, started_at, lease_expires_at) "
                 "VALUES ($1, $2, triage_now_ms(), triage_now_ms() + $3) "
                 "ON CONFLICT (name) DO UPDATE SET address = EXCLUDED.address, "
                 "lease_expires_at = EXCLUDED.lease_expires_at",
                 node, address, static_cast<std::int64_t>(lease.count())));
}

Result<void> release_node(postgres::Connection& conn, const std::string& node) {
  if (auto r = conn.query("DELETE FROM device_sessions WHERE node = $1", node); !r) {
    return tl::unexpected(r.error());
  }
  return postgres::done(conn.query(
      "UPDATE collector_nodes SET lease_expires_at = triage_now_ms() WHERE name = $1", node));
}

Result<std::optional<SessionRow>> record_attach(postgres::Connection& conn, const SessionRow& row) {
  auto recorded = [&]() -> Result<std::optional<SessionRow>> {
    if (auto r = conn.exec("BEGIN"); !r) return tl::unexpected(r.error());
    auto previous = conn.query(
        "SELECT s.device_id, s.node, s.session_id, s.remote_address, s.since "
        "FROM device_sessions s JOIN collector_nodes n ON n.name = s.node "
        "WHERE s.device_id = $1 AND s.node <> $2 AND n.lease_expires_at > triage_now_ms() "
        "FOR UPDATE OF s",
        row.device_id, row.node);
    if (!previous) return tl::unexpected(previous.error());
    if (auto r = conn.query(
            "INSERT INTO device_sessions(device_id, node, session_id, remote_address, since) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (device_id) DO UPDATE SET "
            "node = EXCLUDED.node, session_id = EXCLUDED.session_id, "
            "remote_address = EXCLUDED.remote_address, since = EXCLUDED.since",
            row.device_id, row.node, static_cast<std::int64_t>(row.session_id), row.remote_address,
            row.since_ms);
        !r) {
      return tl::unexpected(r.error());
    }
    if (auto r = conn.commit(); !r) return tl::unexpected(r.error());
    if (previous->empty()) return std::optional<SessionRow>();
    return std::optional<SessionRow>(session_at(*previous, 0));
  }();
  if (!recorded) (void)conn.exec("ROLLBACK");
  return recorded;
}

Result<void> record_detach(postgres::Connection& conn, const std::string& device_id,
                           const std::string& node, std::uint64_t session_id) {
  return postgres::done(conn.query(
      "DELETE FROM device_sessions WHERE device_id = $1 AND node = $2 AND session_id = $3",
      device_id, node, static_cast<std::int64_t>(session_id)));
}

Result<std::optional<SessionRow>> live_session(postgres::Connection& conn,
                                               const std::string& device_id) {
  auto rows = conn.query(
      "SELECT s.device_id, s.node, s.session_id, s.remote_address, s.since "
      "FROM device_sessions s JOIN collector_nodes n ON n.name = s.node "
      "WHERE s.device_id = $1 AND n.lease_expires_at > triage_now_ms()",
      device_id);
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::optional<SessionRow>();
  return std::optional<SessionRow>(session_at(*rows, 0));
}

Result<std::vector<SessionRow>> live_sessions(postgres::Connection& conn,
                                              const std::vector<std::string>& device_ids) {
  auto rows = conn.query(
      "SELECT s.device_id, s.node, s.session_id, s.remote_address, s.since "
      "FROM device_sessions s JOIN collector_nodes n ON n.name = s.node "
      "WHERE s.device_id = ANY($1::text[]) AND n.lease_expires_at > triage_now_ms()",
      pg_values::text_array(device_ids));
  if (!rows) return tl::unexpected(rows.error());
  std::vector<SessionRow> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(session_at(*rows, i));
  return out;
}

Result<std::vector<std::string>> live_nodes(postgres::Connection& conn, const std::string& self) {
  auto rows = conn.query(
      "SELECT name FROM collector_nodes WHERE lease_expires_at > triage_now_ms() AND name <> $1 "
      "ORDER BY name",
      self);
  if (!rows) return tl::unexpected(rows.error());
  std::vector<std::string> names;
  for (int i = 0; i < rows->size(); ++i) names.push_back(rows->text(i, 0));
  return names;
}

Result<std::size_t> count_live_sessions(postgres::Connection& conn, const std::string& self) {
  auto rows = conn.query(
      "SELECT COUNT(*) FROM device_sessions s JOIN collector_nodes n ON n.name = s.node "
      "WHERE s.node <> $1 AND n.lease_expires_at > triage_now_ms()",
      self);
  if (!rows) return tl::unexpected(rows.error());
  return static_cast<std::size_t>(rows->int64(0, 0));
}

}  // namespace triage::collector::pg_presence
