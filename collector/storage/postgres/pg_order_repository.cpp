// PostgreSQL: remediation orders and their streamed output.
#include "collector/storage/postgres/pg_order_repository.hpp"

#include "collector/storage/postgres/pg_ticket_rows.hpp"
#include "collector/storage/postgres/pg_values.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using pg_values::json_text;
using pg_values::parse_json;
using postgres::Bytes;
using postgres::Connection;
using postgres::Rows;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

constexpr std::string_view kOrderColumns =
    "id, ticket_id, device_id, action_id, action_version, definition_sha256, params, argv, "
    "risk, timeout_s, output_cap_bytes, requested_by, approved_by, state, reason, created_at, "
    "updated_at, expires_at, sent_at, finished_at, signed_order, result, cancel_requested_by, "
    "cancel_reason, first_output_at, requested_credential, approved_credential";

Order read_order(const Rows& r, int i) {
  Order o;
  o.id = r.text(i, 0);
  o.ticket_id = r.int64(i, 1);
  o.device_id = r.text(i, 2);
  o.action_id = r.text(i, 3);
  o.action_version = static_cast<std::uint32_t>(r.int64(i, 4));
  o.definition_sha256 = r.text(i, 5);
  o.params = parse_json(r.text(i, 6), nlohmann::json::object());
  for (const auto& a : parse_json(r.text(i, 7), nlohmann::json::array())) {
    if (a.is_string()) o.argv.push_back(a.get<std::string>());
  }
  o.risk = r.text(i, 8);
  o.timeout_s = static_cast<std::uint32_t>(r.int64(i, 9));
  o.output_cap_bytes = static_cast<std::uint64_t>(r.int64(i, 10));
  o.requested_by = r.text(i, 11);
  o.approved_by = r.text(i, 12);
  o.state = parse_order_state(r.text(i, 13)).value_or(OrderState::kFailed);
  o.reason = r.text(i, 14);
  o.created_at = from_ms(r.int64(i, 15));
  o.updated_at = from_ms(r.int64(i, 16));
  o.expires_at = from_optional_ms(r.optional_int64(i, 17));
  o.sent_at = from_optional_ms(r.optional_int64(i, 18));
  o.finished_at = from_optional_ms(r.optional_int64(i, 19));
  o.signed_order = r.bytes(i, 20);
  o.result = parse_json(r.text(i, 21), nlohmann::json::object());
  o.cancel_requested_by = r.text(i, 22);
  o.cancel_reason = r.text(i, 23);
  o.first_output_at = from_optional_ms(r.optional_int64(i, 24));
  o.requested_credential = r.text(i, 25);
  o.approved_credential = r.text(i, 26);
  return o;
}

std::string state_array(const std::vector<OrderState>& states) {
  std::vector<std::string> names;
  for (auto s : states) names.push_back(order_state_name(s));
  return pg_values::text_array(names);
}

// The conditional state change: true when this writer moved the order.
Result<bool> write_order_row(Connection& conn, const Order& o,
                             const std::vector<OrderState>& from) {
  auto r = conn.query(
      "UPDATE orders SET approved_by = $1, approved_credential = $2, state = $3, reason = $4, "
      "updated_at = $5, expires_at = $6, sent_at = $7, finished_at = $8, signed_order = $9, "
      "result = $10, "
      // A cancel request, once recorded, is never cleared by a writer that read before it.
      "cancel_requested_by = CASE cancel_requested_by WHEN '' THEN $11 ELSE "
      "cancel_requested_by END, "
      "cancel_reason = CASE cancel_requested_by WHEN '' THEN $12 ELSE cancel_reason END "
      "WHERE id = $13 AND state = ANY($14::text[]) RETURNING id",
      o.approved_by, o.approved_credential, order_state_name(o.state), o.reason,
      to_ms(o.updated_at), to_optional_ms(o.expires_at), to_optional_ms(o.sent_at),
      to_optional_ms(o.finished_at), Bytes{o.signed_order}, json_text(o.result),
      o.cancel_requested_by, o.cancel_reason, o.id, state_array(from));
  if (!r) return tl::unexpected(r.error());
  return !r->empty();
}

}  // namespace

Result<std::optional<Order>> PgOrderRepository::find_order(std::string_view id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r =
      (*conn)->query("SELECT " + std::string(kOrderColumns) + " FROM orders WHERE id = $1", id);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<Order>();
  return std::optional<Order>(read_order(*r, 0));
}

Result<std::vector<Order>> PgOrderRepository::list_orders(const OrderQuery& q) {
  postgres::Params params;
  auto next = [&]() { return "$" + std::to_string(params.size()); };
  std::string sql = "SELECT " + std::string(kOrderColumns) + " FROM orders WHERE true";
  if (!q.device_id.empty()) {
    params.add(q.device_id);
    sql += " AND device_id = " + next();
  }
  if (q.ticket_id) {
    params.add(*q.ticket_id);
    sql += " AND ticket_id = " + next();
  }
  if (!q.states.empty()) {
    params.add(state_array(q.states));
    sql += " AND state = ANY(" + next() + "::text[])";
  }
  // COLLATE "C" on the id tie-break: the byte order SQLite sorts by.
  sql += q.newest_first ? " ORDER BY created_at DESC, id COLLATE \"C\" DESC"
                        : " ORDER BY created_at, id COLLATE \"C\"";
  params.add(q.limit);
  sql += " LIMIT " + next();
  params.add(q.offset);
  sql += " OFFSET " + next();
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->run(sql, std::move(params));
  if (!r) return tl::unexpected(r.error());
  std::vector<Order> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_order(*r, i));
  return out;
}

Result<std::vector<OrderOutputChunk>> PgOrderRepository::order_output(std::string_view order_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT chunk_index, stream, data FROM order_output WHERE order_id = $1 ORDER BY id",
      order_id);
  if (!r) return tl::unexpected(r.error());
  std::vector<OrderOutputChunk> out;
  for (int i = 0; i < r->size(); ++i) {
    out.push_back(OrderOutputChunk{static_cast<std::uint32_t>(r->int64(i, 0)), r->text(i, 1),
                                   r->bytes(i, 2)});
  }
  return out;
}

Result<void> PgOrderRepository::insert_order(const Order& o,
                                             const std::vector<TicketEvent>& events) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  if (auto r = (*conn)->query(
          "INSERT INTO orders(" + std::string(kOrderColumns) +
              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
              "$17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)",
          o.id, o.ticket_id, o.device_id, o.action_id, o.action_version, o.definition_sha256,
          json_text(o.params), json_text(nlohmann::json(o.argv)), o.risk, o.timeout_s,
          static_cast<std::int64_t>(o.output_cap_bytes), o.requested_by, o.approved_by,
          order_state_name(o.state), o.reason, to_ms(o.created_at), to_ms(o.updated_at),
          to_optional_ms(o.expires_at), to_optional_ms(o.sent_at), to_optional_ms(o.finished_at),
          Bytes{o.signed_order}, json_text(o.result), o.cancel_requested_by, o.cancel_reason,
          to_optional_ms(o.first_output_at), o.requested_credential, o.approved_credential);
      !r) {
    return tl::unexpected(r.error());
  }
  return pg_ticket_rows::insert_events(**conn, events);
}

Result<bool> PgOrderRepository::update_order(const Order& o, const std::vector<OrderState>& from,
                                             const std::vector<TicketEvent>& events) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto written = write_order_row(**conn, o, from);
  if (!written || !*written) return written;
  if (auto r = pg_ticket_rows::insert_events(**conn, events); !r) {
    return tl::unexpected(r.error());
  }
  return true;
}

Result<bool> PgOrderRepository::update_order_with_attachment(Order& o,
                                                             const std::vector<OrderState>& from,
                                                             Attachment& attachment,
                                                             std::vector<TicketEvent> events) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto written = write_order_row(**conn, o, from);
  if (!written || !*written) return written;
  auto id = pg_ticket_rows::insert_attachment(**conn, attachment);
  if (!id) return tl::unexpected(id.error());
  attachment.id = *id;
  o.result["attachment"]["id"] = *id;
  if (auto r =
          (*conn)->query("UPDATE orders SET result = $1 WHERE id = $2", json_text(o.result), o.id);
      !r) {
    return tl::unexpected(r.error());
  }
  for (auto& e : events) e.data["attachment_id"] = *id;
  if (auto r = pg_ticket_rows::insert_events(**conn, events); !r) {
    return tl::unexpected(r.error());
  }
  return true;
}

Result<bool> PgOrderRepository::append_order_output(std::string_view order_id,
                                                    const OrderOutputChunk& chunk,
                                                    std::uint64_t cap) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  if (connector_.in_write()) {
    // Chunks of one order arriving on two nodes add up under the order's row lock, so
    // together they never pass the cap.
    if (auto r = (*conn)->query("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", order_id); !r) {
      return tl::unexpected(r.error());
    }
  }
  auto size = (*conn)->query(
      "SELECT COALESCE(SUM(octet_length(data)), 0) FROM order_output WHERE order_id = $1",
      order_id);
  if (!size) return tl::unexpected(size.error());
  const auto stored = static_cast<std::uint64_t>(size->int64(0, 0));
  if (stored >= cap) return false;
  std::string_view data = chunk.data;
  if (data.size() > cap - stored) data = data.substr(0, cap - stored);
  if (auto r = (*conn)->query(
          "INSERT INTO order_output(order_id, stream, chunk_index, data) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT DO NOTHING",
          order_id, chunk.stream, chunk.index, Bytes{data});
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = (*conn)->query(
          "UPDATE orders SET first_output_at = $1 WHERE id = $2 AND first_output_at IS NULL",
          to_ms(chunk.received_at), order_id);
      !r) {
    return tl::unexpected(r.error());
  }
  return true;
}

}  // namespace triage::collector
