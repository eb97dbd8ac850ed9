// SqliteStore: integration targets and the outbox of their messages.
#include <nlohmann/json.hpp>

#include "collector/storage/sqlite/sqlite_outbox_rows.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

constexpr const char* kTargetColumns =
    "id, connector, name, url, event_types, internal, active, disabled_reason, secret, "
    "created_by, created_at, updated_at, settings";

std::vector<std::string> parse_types(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string dump_types(const std::vector<std::string>& types) {
  return nlohmann::json(types).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dump_settings(const nlohmann::json& settings) {
  return settings.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

IntegrationTarget read_target(const Statement& s) {
  IntegrationTarget t;
  t.id = s.column_int(0);
  t.connector = s.column_text(1);
  t.name = s.column_text(2);
  t.url = s.column_text(3);
  t.event_types = parse_types(s.column_text(4));
  t.internal = s.column_int(5) != 0;
  t.active = s.column_int(6) != 0;
  t.disabled_reason = s.column_text(7);
  t.secret = s.column_text(8);
  t.created_by = s.column_text(9);
  t.created_at = from_ms(s.column_int(10));
  t.updated_at = from_ms(s.column_int(11));
  t.settings = nlohmann::json::parse(s.column_text(12), nullptr, false);
  if (!t.settings.is_object()) t.settings = nlohmann::json::object();
  return t;
}

constexpr const char* kMessageColumns =
    "id, delivery_id, event_id, target_id, event_type, ticket_id, payload, status, attempts, "
    "created_at, queued_at, next_attempt_at, last_attempt_at, last_http_status, last_error, "
    "delivered_at";

OutboxMessage read_message(const Statement& s) {
  OutboxMessage m;
  m.id = s.column_int(0);
  m.delivery_id = s.column_text(1);
  m.event_id = s.column_text(2);
  m.target_id = s.column_int(3);
  m.event_type = s.column_text(4);
  m.ticket_id = s.column_optional_int(5).value_or(0);
  m.payload = s.column_text(6);
  m.status = parse_outbox_status(s.column_text(7)).value_or(OutboxStatus::kFailed);
  m.attempts = static_cast<int>(s.column_int(8));
  m.created_at = from_ms(s.column_int(9));
  m.queued_at = from_ms(s.column_int(10));
  m.next_attempt_at = from_ms(s.column_int(11));
  m.last_attempt_at = from_optional_ms(s.column_optional_int(12));
  m.last_http_status = static_cast<int>(s.column_int(13));
  m.last_error = s.column_text(14);
  m.delivered_at = from_optional_ms(s.column_optional_int(15));
  return m;
}

template <class T, class ReadRow>
Result<std::vector<T>> read_rows(Statement& st, ReadRow read_row) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_row(st));
  }
}

// The oldest pending message of each active target: the only one a target may be sent.
constexpr const char* kHeadsSql =
    "(SELECT target_id, MIN(id) AS head FROM outbox_messages WHERE status = 'pending' "
    "GROUP BY target_id) h JOIN outbox_messages m ON m.id = h.head "
    "JOIN integration_targets t ON t.id = h.target_id AND t.active = 1";

Result<std::optional<OutboxMessage>> message_on(sqlite::Database& db, std::int64_t target_id,
                                                std::string_view delivery_id) {
  auto st = db.prepare(std::string("SELECT ") + kMessageColumns +
                       " FROM outbox_messages WHERE target_id = ? AND delivery_id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, target_id).bind(2, delivery_id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<OutboxMessage>();
  return std::optional<OutboxMessage>(read_message(*st));
}

}  // namespace

Result<std::vector<IntegrationTarget>> list_targets_on(sqlite::Database& db,
                                                       std::string_view where_sql) {
  auto st =
      db.prepare(std::string("SELECT ") + kTargetColumns + " FROM integration_targets WHERE " +
                 std::string(where_sql) + " ORDER BY id");
  if (!st) return tl::unexpected(st.error());
  return read_rows<IntegrationTarget>(*st, read_target);
}

Result<std::int64_t> SqliteStore::insert_integration_target(const IntegrationTarget& t) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "INSERT INTO integration_targets(connector, name, url, event_types, internal, active, "
      "disabled_reason, secret, created_by, created_at, updated_at, settings) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, t.connector)
      .bind(2, t.name)
      .bind(3, t.url)
      .bind(4, dump_types(t.event_types))
      .bind(5, std::int64_t{t.internal ? 1 : 0})
      .bind(6, std::int64_t{t.active ? 1 : 0})
      .bind(7, t.disabled_reason)
      .bind(8, t.secret)
      .bind(9, t.created_by)
      .bind(10, to_ms(t.created_at))
      .bind(11, to_ms(t.updated_at))
      .bind(12, dump_settings(t.settings));
  if (auto r = st->run(); !r) return tl::unexpected(r.error());
  return sqlite3_last_insert_rowid(db_->handle());
}

Result<std::optional<IntegrationTarget>> SqliteStore::find_integration_target(std::int64_t id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kTargetColumns +
                                   " FROM integration_targets WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<IntegrationTarget>();
  return std::optional<IntegrationTarget>(read_target(*st));
}

Result<std::vector<IntegrationTarget>> SqliteStore::list_integration_targets(
    std::string_view connector) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kTargetColumns +
                                   " FROM integration_targets WHERE connector = ? ORDER BY id");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, connector);
  return read_rows<IntegrationTarget>(*st, read_target);
}

Result<IntegrationTarget> SqliteStore::update_integration_target(std::int64_t id,
                                                                 const IntegrationTargetUpdate& u,
                                                                 TimePoint now) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<IntegrationTarget> {
    auto read = db_->prepare(std::string("SELECT ") + kTargetColumns +
                             " FROM integration_targets WHERE id = ?");
    if (!read) return tl::unexpected(read.error());
    read->bind(1, id);
    auto row = read->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(ErrorCode::kNotFound, "no webhook " + std::to_string(id));
    IntegrationTarget t = read_target(*read);
    if (u.name) t.name = *u.name;
    if (u.url) t.url = *u.url;
    if (u.event_types) t.event_types = *u.event_types;
    if (u.internal) t.internal = *u.internal;
    if (u.secret) t.secret = *u.secret;
    if (u.settings) t.settings = *u.settings;
    if (u.active) {
      if (*u.active && !t.active) t.disabled_reason.clear();
      t.active = *u.active;
    }
    t.updated_at = now;
    auto st = db_->prepare(
        "UPDATE integration_targets SET name = ?, url = ?, event_types = ?, internal = ?, "
        "active = ?, disabled_reason = ?, secret = ?, updated_at = ?, settings = ? WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, t.name)
        .bind(2, t.url)
        .bind(3, dump_types(t.event_types))
        .bind(4, std::int64_t{t.internal ? 1 : 0})
        .bind(5, std::int64_t{t.active ? 1 : 0})
        .bind(6, t.disabled_reason)
        .bind(7, t.secret)
        .bind(8, to_ms(t.updated_at))
        .bind(9, dump_settings(t.settings))
        .bind(10, id);
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    return t;
  });
}

Result<void> SqliteStore::delete_integration_target(std::int64_t id) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto messages = db_->prepare("DELETE FROM outbox_messages WHERE target_id = ?");
    if (!messages) return tl::unexpected(messages.error());
    messages->bind(1, id);
    if (auto r = messages->run(); !r) return r;
    auto st = db_->prepare("DELETE FROM integration_targets WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, id);
    if (auto r = st->run(); !r) return r;
    if (db_->changes() == 0) return fail(ErrorCode::kNotFound, "no webhook " + std::to_string(id));
    return {};
  });
}

Result<void> SqliteStore::insert_outbox(const std::vector<OutboxMessage>& messages) {
  if (messages.empty()) return {};
  auto st = db_->prepare(
      "INSERT INTO outbox_messages(delivery_id, event_id, target_id, event_type, ticket_id, "
      "payload, status, attempts, created_at, queued_at, next_attempt_at) "
      "VALUES (?,?,?,?,?,?,'pending',0,?,?,?) ON CONFLICT(target_id, event_id) DO NOTHING");
  if (!st) return tl::unexpected(st.error());
  for (const auto& m : messages) {
    st->reset();
    st->bind(1, m.delivery_id)
        .bind(2, m.event_id)
        .bind(3, m.target_id)
        .bind(4, m.event_type)
        .bind(5, m.ticket_id ? std::optional<std::int64_t>(m.ticket_id) : std::nullopt)
        .bind(6, m.payload)
        .bind(7, to_ms(m.created_at))
        .bind(8, to_ms(m.queued_at))
        .bind(9, to_ms(m.next_attempt_at));
    if (auto r = st->run(); !r) return r;
  }
  return {};
}

Result<void> SqliteStore::enqueue_outbox(const std::vector<OutboxMessage>& messages) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() { return insert_outbox(messages); });
}

Result<std::vector<OutboxMessage>> SqliteStore::claim_outbox(TimePoint now, std::size_t limit,
                                                             std::chrono::milliseconds lease) {
  // The claim takes the write lock, so it runs after any transaction that is enqueueing.
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<std::vector<OutboxMessage>> {
    auto st = db_->prepare(std::string("SELECT m.id FROM ") + kHeadsSql +
                           " WHERE m.next_attempt_at <= ? ORDER BY m.next_attempt_at, m.id "
                           "LIMIT ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, to_ms(now)).bind(2, static_cast<std::int64_t>(limit));
    auto ids = read_rows<std::int64_t>(*st, [](const Statement& s) { return s.column_int(0); });
    if (!ids) return tl::unexpected(ids.error());
    auto take = db_->prepare(
        "UPDATE outbox_messages SET attempts = attempts + 1, last_attempt_at = ?, "
        "next_attempt_at = ? WHERE id = ?");
    if (!take) return tl::unexpected(take.error());
    auto read = db_->prepare(std::string("SELECT ") + kMessageColumns +
                             " FROM outbox_messages WHERE id = ?");
    if (!read) return tl::unexpected(read.error());
    std::vector<OutboxMessage> out;
    for (auto id : *ids) {
      take->reset();
      take->bind(1, to_ms(now)).bind(2, to_ms(now + lease)).bind(3, id);
      if (auto r = take->run(); !r) return tl::unexpected(r.error());
      read->reset();
      read->bind(1, id);
      auto row = read->step();
      if (!row) return tl::unexpected(row.error());
      if (*row) out.push_back(read_message(*read));
    }
    return out;
  });
}

Result<void> SqliteStore::record_outbox_attempt(std::int64_t message_id, const OutboxAttempt& a) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto st = db_->prepare(
        "UPDATE outbox_messages SET status = ?, last_attempt_at = ?, next_attempt_at = ?, "
        "last_http_status = ?, last_error = ?, delivered_at = ? WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, outbox_status_name(a.status))
        .bind(2, to_ms(a.at))
        .bind(3, to_ms(a.next_attempt_at))
        .bind(4, std::int64_t{a.http_status})
        .bind(5, a.error)
        .bind(6, a.status == OutboxStatus::kDelivered ? std::optional<std::int64_t>(to_ms(a.at))
                                                      : std::nullopt)
        .bind(7, message_id);
    if (auto r = st->run(); !r) return r;
    if (a.disable_target) {
      auto off = db_->prepare(
          "UPDATE integration_targets SET active = 0, disabled_reason = ?, updated_at = ? "
          "WHERE id = (SELECT target_id FROM outbox_messages WHERE id = ?)");
      if (!off) return tl::unexpected(off.error());
      off->bind(1, *a.disable_target).bind(2, to_ms(a.at)).bind(3, message_id);
      if (auto r = off->run(); !r) return r;
    }
    return {};
  });
}

Result<std::optional<TimePoint>> SqliteStore::next_outbox_due() {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT MIN(m.next_attempt_at) FROM ") + kHeadsSql);
  if (!st) return tl::unexpected(st.error());
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  return from_optional_ms(st->column_optional_int(0));
}

Result<OutboxPage> SqliteStore::list_outbox(const OutboxFilter& f) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  sqlite::Database* db = reader->get();
  const std::string where =
      f.status ? " WHERE target_id = ? AND status = ?" : " WHERE target_id = ?";
  auto bind = [&](Statement& st) {
    st.bind(1, f.target_id);
    if (f.status) st.bind(2, outbox_status_name(*f.status));
  };
  OutboxPage page;
  auto count = db->prepare("SELECT COUNT(*) FROM outbox_messages" + where);
  if (!count) return tl::unexpected(count.error());
  bind(*count);
  if (auto row = count->step(); !row) return tl::unexpected(row.error());
  page.total = count->column_int(0);
  auto st = db->prepare(std::string("SELECT ") + kMessageColumns + " FROM outbox_messages" + where +
                        " ORDER BY id DESC LIMIT ? OFFSET ?");
  if (!st) return tl::unexpected(st.error());
  bind(*st);
  const int next = f.status ? 3 : 2;
  st->bind(next, std::int64_t{f.limit}).bind(next + 1, std::int64_t{f.offset});
  auto items = read_rows<OutboxMessage>(*st, read_message);
  if (!items) return tl::unexpected(items.error());
  page.items = std::move(*items);
  return page;
}

Result<std::optional<OutboxMessage>> SqliteStore::find_outbox_message(
    std::int64_t target_id, std::string_view delivery_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  return message_on(*reader->get(), target_id, delivery_id);
}

Result<OutboxMessage> SqliteStore::requeue_outbox_message(std::int64_t target_id,
                                                          std::string_view delivery_id,
                                                          TimePoint now) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<OutboxMessage> {
    auto current = message_on(*db_, target_id, delivery_id);
    if (!current) return tl::unexpected(current.error());
    if (!*current) {
      return fail(ErrorCode::kNotFound, "no delivery " + std::string(delivery_id.substr(0, 64)));
    }
    if ((*current)->status == OutboxStatus::kPending) {
      return fail(ErrorCode::kConflict, "delivery " + std::string(delivery_id) +
                                            " is still pending; it is retried by itself");
    }
    auto st = db_->prepare(
        "UPDATE outbox_messages SET status = 'pending', attempts = 0, queued_at = ?, "
        "next_attempt_at = ?, last_error = '', last_http_status = 0, delivered_at = NULL "
        "WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, to_ms(now)).bind(2, to_ms(now)).bind(3, (*current)->id);
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    auto after = message_on(*db_, target_id, delivery_id);
    if (!after) return tl::unexpected(after.error());
    return std::move(**after);
  });
}

Result<std::map<std::int64_t, OutboxCounts>> SqliteStore::outbox_counts() {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT target_id, status, COUNT(*) FROM outbox_messages GROUP BY target_id, status");
  if (!st) return tl::unexpected(st.error());
  std::map<std::int64_t, OutboxCounts> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    auto& counts = out[st->column_int(0)];
    const auto status = parse_outbox_status(st->column_text(1));
    const auto n = st->column_int(2);
    if (status == OutboxStatus::kPending) counts.pending += n;
    if (status == OutboxStatus::kDelivered) counts.delivered += n;
    if (status == OutboxStatus::kFailed) counts.failed += n;
  }
}

Result<std::int64_t> SqliteStore::prune_outbox(TimePoint before) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "DELETE FROM outbox_messages WHERE status IN ('delivered', 'failed') AND "
      "COALESCE(last_attempt_at, queued_at) < ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, to_ms(before));
  if (auto r = st->run(); !r) return tl::unexpected(r.error());
  return std::int64_t{db_->changes()};
}

}  // namespace triage::collector
