// PostgreSQL: integration targets and the outbox of their messages.
#include "collector/storage/postgres/pg_outbox_repository.hpp"

#include <algorithm>

#include "collector/storage/postgres/pg_values.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using pg_values::json_text;
using postgres::Connection;
using postgres::Rows;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;

namespace {

constexpr std::string_view kTargetColumns =
    "id, connector, name, url, event_types, internal, active, disabled_reason, secret, "
    "created_by, created_at, updated_at, settings";

IntegrationTarget read_target(const Rows& r, int i) {
  IntegrationTarget t;
  t.id = r.int64(i, 0);
  t.connector = r.text(i, 1);
  t.name = r.text(i, 2);
  t.url = r.text(i, 3);
  for (const auto& item : pg_values::parse_json(r.text(i, 4), nlohmann::json::array())) {
    if (item.is_string()) t.event_types.push_back(item.get<std::string>());
  }
  t.internal = r.boolean(i, 5);
  t.active = r.boolean(i, 6);
  t.disabled_reason = r.text(i, 7);
  t.secret = r.text(i, 8);
  t.created_by = r.text(i, 9);
  t.created_at = from_ms(r.int64(i, 10));
  t.updated_at = from_ms(r.int64(i, 11));
  t.settings = pg_values::parse_json(r.text(i, 12), nlohmann::json::object());
  if (!t.settings.is_object()) t.settings = nlohmann::json::object();
  return t;
}

constexpr std::string_view kMessageColumns =
    "id, delivery_id, event_id, target_id, event_type, ticket_id, payload, status, attempts, "
    "created_at, queued_at, next_attempt_at, last_attempt_at, last_http_status, last_error, "
    "delivered_at";

OutboxMessage read_message(const Rows& r, int i) {
  OutboxMessage m;
  m.id = r.int64(i, 0);
  m.delivery_id = r.text(i, 1);
  m.event_id = r.text(i, 2);
  m.target_id = r.int64(i, 3);
  m.event_type = r.text(i, 4);
  m.ticket_id = r.optional_int64(i, 5).value_or(0);
  m.payload = r.text(i, 6);
  m.status = parse_outbox_status(r.text(i, 7)).value_or(OutboxStatus::kFailed);
  m.attempts = static_cast<int>(r.int64(i, 8));
  m.created_at = from_ms(r.int64(i, 9));
  m.queued_at = from_ms(r.int64(i, 10));
  m.next_attempt_at = from_ms(r.int64(i, 11));
  m.last_attempt_at = from_optional_ms(r.optional_int64(i, 12));
  m.last_http_status = static_cast<int>(r.int64(i, 13));
  m.last_error = r.text(i, 14);
  m.delivered_at = from_optional_ms(r.optional_int64(i, 15));
  return m;
}

std::vector<OutboxMessage> read_messages(const Rows& r) {
  std::vector<OutboxMessage> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(read_message(r, i));
  return out;
}

// The oldest pending message of each active target: the only one a target may be sent.
constexpr std::string_view kHeads =
    "(SELECT DISTINCT ON (m.target_id) m.id, m.next_attempt_at FROM outbox_messages m "
    "JOIN integration_targets t ON t.id = m.target_id AND t.active "
    "WHERE m.status = 'pending' ORDER BY m.target_id, m.id) h";

Result<std::optional<OutboxMessage>> message_on(Connection& conn, std::int64_t target_id,
                                                std::string_view delivery_id, bool lock) {
  auto r = conn.query("SELECT " + std::string(kMessageColumns) +
                          " FROM outbox_messages WHERE target_id = $1 AND delivery_id = $2" +
                          (lock ? " FOR UPDATE" : ""),
                      target_id, delivery_id);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<OutboxMessage>();
  return std::optional<OutboxMessage>(read_message(*r, 0));
}

}  // namespace

Result<std::optional<IntegrationTarget>> PgOutboxRepository::find_integration_target(
    std::int64_t id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT " + std::string(kTargetColumns) + " FROM integration_targets WHERE id = $1", id);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<IntegrationTarget>();
  return std::optional<IntegrationTarget>(read_target(*r, 0));
}

Result<std::vector<IntegrationTarget>> PgOutboxRepository::list_integration_targets(
    std::string_view connector) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query("SELECT " + std::string(kTargetColumns) +
                              " FROM integration_targets WHERE connector = $1 ORDER BY id",
                          connector);
  if (!r) return tl::unexpected(r.error());
  std::vector<IntegrationTarget> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_target(*r, i));
  return out;
}

Result<std::optional<TimePoint>> PgOutboxRepository::next_outbox_due() {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query("SELECT MIN(h.next_attempt_at) FROM " + std::string(kHeads));
  if (!r) return tl::unexpected(r.error());
  return from_optional_ms(r->optional_int64(0, 0));
}

Result<OutboxPage> PgOutboxRepository::list_outbox(const OutboxFilter& f) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // An absent status filter is a NULL parameter: one statement text either way.
  const std::optional<std::string> status =
      f.status ? std::optional<std::string>(outbox_status_name(*f.status)) : std::nullopt;
  constexpr std::string_view kWhere =
      " FROM outbox_messages WHERE target_id = $1 AND ($2::text IS NULL OR status = $2)";
  OutboxPage page;
  auto count = (*conn)->query("SELECT COUNT(*)" + std::string(kWhere), f.target_id, status);
  if (!count) return tl::unexpected(count.error());
  page.total = count->int64(0, 0);
  auto r = (*conn)->query("SELECT " + std::string(kMessageColumns) + std::string(kWhere) +
                              " ORDER BY id DESC LIMIT $3 OFFSET $4",
                          f.target_id, status, f.limit, f.offset);
  if (!r) return tl::unexpected(r.error());
  page.items = read_messages(*r);
  return page;
}

Result<std::optional<OutboxMessage>> PgOutboxRepository::find_outbox_message(
    std::int64_t target_id, std::string_view delivery_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return message_on(**conn, target_id, delivery_id, false);
}

Result<std::map<std::int64_t, OutboxCounts>> PgOutboxRepository::outbox_counts() {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT target_id, status, COUNT(*) FROM outbox_messages GROUP BY target_id, status");
  if (!r) return tl::unexpected(r.error());
  std::map<std::int64_t, OutboxCounts> out;
  for (int i = 0; i < r->size(); ++i) {
    auto& counts = out[r->int64(i, 0)];
    const auto status = parse_outbox_status(r->text(i, 1));
    const auto n = r->int64(i, 2);
    if (status == OutboxStatus::kPending) counts.pending += n;
    if (status == OutboxStatus::kDelivered) counts.delivered += n;
    if (status == OutboxStatus::kFailed) counts.failed += n;
  }
  return out;
}

Result<std::int64_t> PgOutboxRepository::insert_integration_target(const IntegrationTarget& t) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "INSERT INTO integration_targets(connector, name, url, event_types, internal, active, "
      "disabled_reason, secret, created_by, created_at, updated_at, settings) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
      t.connector, t.name, t.url, json_text(nlohmann::json(t.event_types)), t.internal, t.active,
      t.disabled_reason, t.secret, t.created_by, to_ms(t.created_at), to_ms(t.updated_at),
      json_text(t.settings));
  if (!r) return tl::unexpected(r.error());
  return r->int64(0, 0);
}

Result<IntegrationTarget> PgOutboxRepository::update_integration_target(
    std::int64_t id, const IntegrationTargetUpdate& u, TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // Read under the row lock: two partial updates racing both land, one after the other.
  auto read = (*conn)->query("SELECT " + std::string(kTargetColumns) +
                                 " FROM integration_targets WHERE id = $1" +
                                 (connector_.in_write() ? " FOR UPDATE" : ""),
                             id);
  if (!read) return tl::unexpected(read.error());
  if (read->empty()) return fail(ErrorCode::kNotFound, "no webhook " + std::to_string(id));
  IntegrationTarget t = read_target(*read, 0);
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
  if (auto r = (*conn)->query(
          "UPDATE integration_targets SET name = $1, url = $2, event_types = $3, internal = $4, "
          "active = $5, disabled_reason = $6, secret = $7, updated_at = $8, settings = $9 "
          "WHERE id = $10",
          t.name, t.url, json_text(nlohmann::json(t.event_types)), t.internal, t.active,
          t.disabled_reason, t.secret, to_ms(t.updated_at), json_text(t.settings), id);
      !r) {
    return tl::unexpected(r.error());
  }
  return t;
}

Result<void> PgOutboxRepository::delete_integration_target(std::int64_t id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // Its messages go with it (ON DELETE CASCADE).
  auto r = (*conn)->query("DELETE FROM integration_targets WHERE id = $1", id);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) return fail(ErrorCode::kNotFound, "no webhook " + std::to_string(id));
  return {};
}

Result<void> PgOutboxRepository::enqueue_outbox(const std::vector<OutboxMessage>& messages) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  for (const auto& m : messages) {
    if (auto r = (*conn)->query(
            "INSERT INTO outbox_messages(delivery_id, event_id, target_id, event_type, ticket_id, "
            "payload, status, attempts, created_at, queued_at, next_attempt_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8, $9) "
            "ON CONFLICT (target_id, event_id) DO NOTHING",
            m.delivery_id, m.event_id, m.target_id, m.event_type,
            m.ticket_id ? std::optional<std::int64_t>(m.ticket_id) : std::nullopt, m.payload,
            to_ms(m.created_at), to_ms(m.queued_at), to_ms(m.next_attempt_at));
        !r) {
      return tl::unexpected(r.error());
    }
  }
  return {};
}

Result<std::vector<OutboxMessage>> PgOutboxRepository::claim_outbox(
    TimePoint now, std::size_t limit, std::chrono::milliseconds lease) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // Due and pending are tested on the locked row itself: a message another claimant took (and
  // leased into the future) or delivered meanwhile is re-checked after its lock and left out;
  // one still locked by a claimant is skipped, not waited for.
  auto ids = (*conn)->query(
      "SELECT m.id FROM outbox_messages m WHERE m.id IN (SELECT h.id FROM " + std::string(kHeads) +
          ") AND m.status = 'pending' AND m.next_attempt_at <= $1 "
          "ORDER BY m.next_attempt_at, m.id LIMIT $2 FOR UPDATE OF m SKIP LOCKED",
      to_ms(now), static_cast<std::int64_t>(limit));
  if (!ids) return tl::unexpected(ids.error());
  if (ids->empty()) return std::vector<OutboxMessage>();
  std::vector<std::int64_t> order;
  for (int i = 0; i < ids->size(); ++i) order.push_back(ids->int64(i, 0));
  auto taken = (*conn)->query(
      "UPDATE outbox_messages SET attempts = attempts + 1, last_attempt_at = $1, "
      "next_attempt_at = $2 WHERE id = ANY($3::bigint[]) RETURNING " +
          std::string(kMessageColumns),
      to_ms(now), to_ms(now + lease), pg_values::int_array(order));
  if (!taken) return tl::unexpected(taken.error());
  auto claimed = read_messages(*taken);
  // In claim order (due first), as the SELECT chose them.
  std::sort(claimed.begin(), claimed.end(), [&](const OutboxMessage& a, const OutboxMessage& b) {
    return std::find(order.begin(), order.end(), a.id) <
           std::find(order.begin(), order.end(), b.id);
  });
  return claimed;
}

Result<void> PgOutboxRepository::record_outbox_attempt(std::int64_t message_id,
                                                       const OutboxAttempt& a) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  if (auto r = (*conn)->query(
          "UPDATE outbox_messages SET status = $1, last_attempt_at = $2, next_attempt_at = $3, "
          "last_http_status = $4, last_error = $5, delivered_at = $6 WHERE id = $7",
          outbox_status_name(a.status), to_ms(a.at), to_ms(a.next_attempt_at), a.http_status,
          a.error,
          a.status == OutboxStatus::kDelivered ? std::optional<std::int64_t>(to_ms(a.at))
                                               : std::nullopt,
          message_id);
      !r) {
    return tl::unexpected(r.error());
  }
  if (!a.disable_target) return {};
  return postgres::done((*conn)->query(
      "UPDATE integration_targets SET active = false, disabled_reason = $1, updated_at = $2 "
      "WHERE id = (SELECT target_id FROM outbox_messages WHERE id = $3)",
      *a.disable_target, to_ms(a.at), message_id));
}

Result<OutboxMessage> PgOutboxRepository::requeue_outbox_message(std::int64_t target_id,
                                                                 std::string_view delivery_id,
                                                                 TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto current = message_on(**conn, target_id, delivery_id, connector_.in_write());
  if (!current) return tl::unexpected(current.error());
  if (!*current) {
    return fail(ErrorCode::kNotFound, "no delivery " + std::string(delivery_id.substr(0, 64)));
  }
  if ((*current)->status == OutboxStatus::kPending) {
    return fail(ErrorCode::kConflict, "delivery " + std::string(delivery_id) +
                                          " is still pending; it is retried by itself");
  }
  auto r = (*conn)->query(
      "UPDATE outbox_messages SET status = 'pending', attempts = 0, queued_at = $1, "
      "next_attempt_at = $1, last_error = '', last_http_status = 0, delivered_at = NULL "
      "WHERE id = $2 RETURNING " +
          std::string(kMessageColumns),
      to_ms(now), (*current)->id);
  if (!r) return tl::unexpected(r.error());
  return read_message(*r, 0);
}

Result<std::int64_t> PgOutboxRepository::prune_outbox(TimePoint before) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "DELETE FROM outbox_messages WHERE status IN ('delivered', 'failed') AND "
      "COALESCE(last_attempt_at, queued_at) < $1",
      to_ms(before));
  if (!r) return tl::unexpected(r.error());
  return r->affected();
}

}  // namespace triage::collector
