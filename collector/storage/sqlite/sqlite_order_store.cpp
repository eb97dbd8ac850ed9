// SqliteStore: remediation orders and their output.
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

constexpr const char* kOrderColumns =
    "id, ticket_id, device_id, action_id, action_version, definition_sha256, params, argv, "
    "risk, timeout_s, output_cap_bytes, requested_by, approved_by, state, reason, created_at, "
    "updated_at, expires_at, sent_at, finished_at, signed_order, result, cancel_requested_by, "
    "cancel_reason, first_output_at, requested_credential, approved_credential";

// Endpoint-supplied text could carry invalid UTF-8; never let it throw while storing.
std::string safe_dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json parse_stored(const std::string& text, nlohmann::json fallback) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

Order read_order(const Statement& s) {
  Order o;
  o.id = s.column_text(0);
  o.ticket_id = s.column_int(1);
  o.device_id = s.column_text(2);
  o.action_id = s.column_text(3);
  o.action_version = static_cast<std::uint32_t>(s.column_int(4));
  o.definition_sha256 = s.column_text(5);
  o.params = parse_stored(s.column_text(6), nlohmann::json::object());
  auto argv = parse_stored(s.column_text(7), nlohmann::json::array());
  for (const auto& a : argv) {
    if (a.is_string()) o.argv.push_back(a.get<std::string>());
  }
  o.risk = s.column_text(8);
  o.timeout_s = static_cast<std::uint32_t>(s.column_int(9));
  o.output_cap_bytes = static_cast<std::uint64_t>(s.column_int(10));
  o.requested_by = s.column_text(11);
  o.approved_by = s.column_text(12);
  o.state = parse_order_state(s.column_text(13)).value_or(OrderState::kFailed);
  o.reason = s.column_text(14);
  o.created_at = from_ms(s.column_int(15));
  o.updated_at = from_ms(s.column_int(16));
  o.expires_at = from_optional_ms(s.column_optional_int(17));
  o.sent_at = from_optional_ms(s.column_optional_int(18));
  o.finished_at = from_optional_ms(s.column_optional_int(19));
  o.signed_order = s.column_blob(20);
  o.result = parse_stored(s.column_text(21), nlohmann::json::object());
  o.cancel_requested_by = s.column_text(22);
  o.cancel_reason = s.column_text(23);
  o.first_output_at = from_optional_ms(s.column_optional_int(24));
  o.requested_credential = s.column_text(25);
  o.approved_credential = s.column_text(26);
  return o;
}

std::string in_list(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i ? ",?" : "?";
  return out + ")";
}

}  // namespace

Result<void> SqliteStore::insert_order(const Order& o, const std::vector<TicketEvent>& events) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto st = db_->prepare(std::string("INSERT INTO orders(") + kOrderColumns +
                           ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, o.id)
        .bind(2, o.ticket_id)
        .bind(3, o.device_id)
        .bind(4, o.action_id)
        .bind(5, std::int64_t{o.action_version})
        .bind(6, o.definition_sha256)
        .bind(7, safe_dump(o.params))
        .bind(8, safe_dump(nlohmann::json(o.argv)))
        .bind(9, o.risk)
        .bind(10, std::int64_t{o.timeout_s})
        .bind(11, static_cast<std::int64_t>(o.output_cap_bytes))
        .bind(12, o.requested_by)
        .bind(13, o.approved_by)
        .bind(14, order_state_name(o.state))
        .bind(15, o.reason)
        .bind(16, to_ms(o.created_at))
        .bind(17, to_ms(o.updated_at))
        .bind(18, to_optional_ms(o.expires_at))
        .bind(19, to_optional_ms(o.sent_at))
        .bind(20, to_optional_ms(o.finished_at))
        .bind_blob(21, o.signed_order)
        .bind(22, safe_dump(o.result))
        .bind(23, o.cancel_requested_by)
        .bind(24, o.cancel_reason)
        .bind(25, to_optional_ms(o.first_output_at))
        .bind(26, o.requested_credential)
        .bind(27, o.approved_credential);
    if (auto r = st->run(); !r) return r;
    if (auto r = insert_events(events); !r) return tl::unexpected(r.error());
    return {};
  });
}

Result<std::optional<Order>> SqliteStore::find_order(std::string_view id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st =
      reader->get()->prepare(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<Order>();
  return std::optional<Order>(read_order(*st));
}

Result<bool> SqliteStore::write_order_row(const Order& o, const std::vector<OrderState>& from) {
  auto st = db_->prepare(
      "UPDATE orders SET approved_by = ?, approved_credential = ?, state = ?, reason = ?, "
      "updated_at = ?, "
      "expires_at = ?, sent_at = ?, finished_at = ?, signed_order = ?, result = ?, "
      // A cancel request, once recorded, is never cleared by a writer that read before it.
      "cancel_requested_by = CASE cancel_requested_by WHEN '' THEN ? ELSE "
      "cancel_requested_by END, "
      "cancel_reason = CASE cancel_requested_by WHEN '' THEN ? ELSE cancel_reason END "
      "WHERE id = ? AND state IN " +
      in_list(from.size()));
  if (!st) return tl::unexpected(st.error());
  st->bind(1, o.approved_by)
      .bind(2, o.approved_credential)
      .bind(3, order_state_name(o.state))
      .bind(4, o.reason)
      .bind(5, to_ms(o.updated_at))
      .bind(6, to_optional_ms(o.expires_at))
      .bind(7, to_optional_ms(o.sent_at))
      .bind(8, to_optional_ms(o.finished_at))
      .bind_blob(9, o.signed_order)
      .bind(10, safe_dump(o.result))
      .bind(11, o.cancel_requested_by)
      .bind(12, o.cancel_reason)
      .bind(13, o.id);
  int index = 14;
  for (auto s : from) st->bind(index++, order_state_name(s));
  if (auto r = st->run(); !r) return tl::unexpected(r.error());
  return db_->changes() != 0;
}

Result<bool> SqliteStore::update_order(const Order& o, const std::vector<OrderState>& from,
                                       const std::vector<TicketEvent>& events) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<bool> {
    auto written = write_order_row(o, from);
    if (!written || !*written) return written;
    if (auto r = insert_events(events); !r) return tl::unexpected(r.error());
    return true;
  });
}

Result<bool> SqliteStore::update_order_with_attachment(Order& o,
                                                       const std::vector<OrderState>& from,
                                                       Attachment& attachment,
                                                       std::vector<TicketEvent> events) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<bool> {
    auto written = write_order_row(o, from);
    if (!written || !*written) return written;
    auto id = write_attachment(attachment);
    if (!id) return tl::unexpected(id.error());
    attachment.id = *id;
    o.result["attachment"]["id"] = *id;
    auto st = db_->prepare("UPDATE orders SET result = ? WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, safe_dump(o.result)).bind(2, o.id);
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    for (auto& e : events) e.data["attachment_id"] = *id;
    if (auto r = insert_events(events); !r) return tl::unexpected(r.error());
    return true;
  });
}

Result<std::vector<Order>> SqliteStore::list_orders(const OrderQuery& q) {
  std::string sql = std::string("SELECT ") + kOrderColumns + " FROM orders WHERE 1=1";
  if (!q.device_id.empty()) sql += " AND device_id = ?";
  if (q.ticket_id) sql += " AND ticket_id = ?";
  if (!q.states.empty()) sql += " AND state IN " + in_list(q.states.size());
  sql += q.newest_first ? " ORDER BY created_at DESC, id DESC" : " ORDER BY created_at, id";
  sql += " LIMIT ? OFFSET ?";
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(sql);
  if (!st) return tl::unexpected(st.error());
  int index = 1;
  if (!q.device_id.empty()) st->bind(index++, q.device_id);
  if (q.ticket_id) st->bind(index++, *q.ticket_id);
  for (auto s : q.states) st->bind(index++, order_state_name(s));
  st->bind(index, std::int64_t{q.limit});
  st->bind(index + 1, std::int64_t{q.offset});
  std::vector<Order> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_order(*st));
  }
}

Result<bool> SqliteStore::append_order_output(std::string_view order_id,
                                              const OrderOutputChunk& chunk, std::uint64_t cap) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<bool> {
    auto size = db_->prepare(
        "SELECT COALESCE(SUM(length(data)), 0) FROM order_output "
        "WHERE order_id = ?");
    if (!size) return tl::unexpected(size.error());
    size->bind(1, order_id);
    if (auto row = size->step(); !row) return tl::unexpected(row.error());
    const auto stored = static_cast<std::uint64_t>(size->column_int(0));
    if (stored >= cap) return false;
    std::string_view data = chunk.data;
    if (data.size() > cap - stored) data = data.substr(0, cap - stored);
    auto st = db_->prepare(
        "INSERT OR IGNORE INTO order_output(order_id, stream, chunk_index, data) "
        "VALUES (?,?,?,?)");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, order_id)
        .bind(2, chunk.stream)
        .bind(3, std::int64_t{chunk.index})
        .bind_blob(4, data);
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    auto first = db_->prepare(
        "UPDATE orders SET first_output_at = ? WHERE id = ? AND first_output_at IS NULL");
    if (!first) return tl::unexpected(first.error());
    first->bind(1, to_ms(chunk.received_at)).bind(2, order_id);
    if (auto r = first->run(); !r) return tl::unexpected(r.error());
    return true;
  });
}

Result<std::vector<OrderOutputChunk>> SqliteStore::order_output(std::string_view order_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT chunk_index, stream, data FROM order_output WHERE order_id = ? ORDER BY id");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, order_id);
  std::vector<OrderOutputChunk> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    out.push_back(OrderOutputChunk{static_cast<std::uint32_t>(st->column_int(0)),
                                   st->column_text(1), st->column_blob(2)});
  }
}

}  // namespace triage::collector
