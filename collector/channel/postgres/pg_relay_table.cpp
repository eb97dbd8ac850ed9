#include "collector/channel/postgres/pg_relay_table.hpp"

#include <algorithm>
#include <string_view>

#include "collector/storage/postgres/pg_connection.hpp"

namespace triage::collector::pg_relay {

namespace {

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::kSend:
      return "send";
    case Kind::kBroadcast:
      return "broadcast";
    case Kind::kDisconnect:
      return "disconnect";
    case Kind::kReplaced:
      return "replaced";
    case Kind::kAnswered:
      return "answered";
  }
  return "send";
}

std::optional<Kind> parse_kind(std::string_view text) {
  for (Kind k :
       {Kind::kSend, Kind::kBroadcast, Kind::kDisconnect, Kind::kReplaced, Kind::kAnswered}) {
    if (kind_name(k) == text) return k;
  }
  return std::nullopt;
}

// Rows as `... RETURNING id, kind, device_id, session_id, code, payload`, oldest first; a row
// of a kind this node does not know (a newer node's) is left out.
std::vector<Relayed> relayed_rows(const postgres::Rows& rows) {
  std::vector<Relayed> out;
  for (int i = 0; i < rows.size(); ++i) {
    auto kind = parse_kind(rows.text(i, 1));
    if (!kind) continue;
    out.push_back(Relayed{rows.int64(i, 0), *kind, rows.text(i, 2),
                          static_cast<std::uint64_t>(rows.int64(i, 3)),
                          static_cast<int>(rows.int64(i, 4)), rows.bytes(i, 5)});
  }
  std::sort(out.begin(), out.end(), [](const Relayed& a, const Relayed& b) { return a.id < b.id; });
  return out;
}

}  // namespace

Result<std::optional<std::string>> send_to_device(postgres::Connection& conn,
                                                  const std::string& device_id,
                                                  const std::string& self,
                                                  const std::string& payload) {
  // One statement: the session that decides the target is read as the row is written.
  auto rows = conn.query(
      "WITH target AS ("
      " SELECT s.node FROM device_sessions s JOIN collector_nodes n ON n.name = s.node"
      " WHERE s.device_id = $1::text AND s.node <> $2::text"
      " AND n.lease_expires_at > triage_now_ms()),"
      " inserted AS ("
      " INSERT INTO channel_messages(node, device_id, kind, payload, created_at)"
      " SELECT node, $1::text, 'send', $3::bytea, triage_now_ms() FROM target RETURNING node)"
      " SELECT node, pg_notify(triage_node_channel(node), '') FROM inserted",
      device_id, self, postgres::Bytes{payload});
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->text(0, 0));
}

Result<void> post(postgres::Connection& conn, const std::string& node, Kind kind,
                  const std::string& device_id, std::uint64_t session_id, int code,
                  const std::string& payload) {
  return postgres::done(conn.query(
      "WITH inserted AS ("
      " INSERT INTO channel_messages(node, device_id, kind, session_id, code, payload, created_at)"
      " VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::integer, $6::bytea, triage_now_ms())"
      " RETURNING node)"
      " SELECT pg_notify(triage_node_channel(node), '') FROM inserted",
      node, device_id, kind_name(kind), static_cast<std::int64_t>(session_id), code,
      postgres::Bytes{payload}));
}

Result<void> park(postgres::Connection& conn, const std::string& device_id,
                  const std::string& payload) {
  return postgres::done(
      conn.query("INSERT INTO channel_messages(node, device_id, kind, payload, created_at) "
                 "VALUES ('', $1::text, 'send', $2::bytea, triage_now_ms())",
                 device_id, postgres::Bytes{payload}));
}

Result<std::vector<Relayed>> take_for_node(postgres::Connection& conn, const std::string& node,
                                           int limit) {
  auto rows = conn.query(
      "DELETE FROM channel_messages WHERE id IN ("
      " SELECT id FROM channel_messages WHERE node = $1 ORDER BY id LIMIT $2"
      " FOR UPDATE SKIP LOCKED)"
      " RETURNING id, kind, device_id, session_id, code, payload",
      node, limit);
  if (!rows) return tl::unexpected(rows.error());
  return relayed_rows(*rows);
}

Result<std::vector<Relayed>> claim_for_device(postgres::Connection& conn,
                                              const std::string& device_id) {
  auto rows = conn.query(
      "DELETE FROM channel_messages WHERE device_id = $1 AND kind = 'send'"
      " RETURNING id, kind, device_id, session_id, code, payload",
      device_id);
  if (!rows) return tl::unexpected(rows.error());
  return relayed_rows(*rows);
}

Result<std::int64_t> expire(postgres::Connection& conn, std::chrono::milliseconds max_age) {
  auto rows = conn.query("DELETE FROM channel_messages WHERE created_at < triage_now_ms() - $1",
                         static_cast<std::int64_t>(max_age.count()));
  if (!rows) return tl::unexpected(rows.error());
  return rows->affected();
}

}  // namespace triage::collector::pg_relay
