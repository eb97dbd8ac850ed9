// PostgreSQL: tickets, their device links and external links, timelines, attachments and
// enrichments.
#include "collector/storage/postgres/pg_ticket_repository.hpp"

#include <algorithm>
#include <map>

#include "collector/storage/postgres/pg_ticket_rows.hpp"
#include "collector/storage/postgres/pg_values.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using pg_values::json_text;
using pg_values::parse_json;
using postgres::Connection;
using postgres::Rows;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

constexpr std::string_view kTicketSelect =
    "SELECT id, title, description, requester, status, priority, tier, queue, assignee, source, "
    "external_system, external_id, created_by, created_at, updated_at, response_due_at, due_at, "
    "first_response_at, resolved_at, closed_at, version FROM tickets ";

// Devices in the order they were linked, those linked together (at creation) by id, in the
// byte order SQLite sorts by.
constexpr std::string_view kDeviceOrder = " ORDER BY linked_at, device_id COLLATE \"C\"";

Ticket read_ticket(const Rows& r, int i) {
  Ticket t;
  t.id = r.int64(i, 0);
  t.title = r.text(i, 1);
  t.description = r.text(i, 2);
  t.requester = r.text(i, 3);
  t.status = parse_status(r.text(i, 4)).value_or(TicketStatus::kNew);
  t.priority = static_cast<int>(r.int64(i, 5));
  t.tier = static_cast<int>(r.int64(i, 6));
  t.queue = r.text(i, 7);
  t.assignee = r.text(i, 8);
  t.source = r.text(i, 9);
  t.external_system = r.text(i, 10);
  t.external_id = r.text(i, 11);
  t.created_by = r.text(i, 12);
  t.created_at = from_ms(r.int64(i, 13));
  t.updated_at = from_ms(r.int64(i, 14));
  t.response_due_at = from_ms(r.int64(i, 15));
  t.due_at = from_ms(r.int64(i, 16));
  t.first_response_at = from_optional_ms(r.optional_int64(i, 17));
  t.resolved_at = from_optional_ms(r.optional_int64(i, 18));
  t.closed_at = from_optional_ms(r.optional_int64(i, 19));
  t.version = r.int64(i, 20);
  return t;
}

std::vector<Ticket> read_tickets(const Rows& r) {
  std::vector<Ticket> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(read_ticket(r, i));
  return out;
}

Visibility parse_visibility(const std::string& text) {
  return text == "public" ? Visibility::kPublic : Visibility::kInternal;
}

// NULL rather than '' for an absent external key, so UNIQUE binds only real pairs.
std::optional<std::string> optional_text(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

// The one ticket `where` selects (parameters `params`), with its devices. `lock`: the row
// stays locked until the transaction ends.
Result<std::optional<Ticket>> ticket_where(Connection& conn, std::string_view where,
                                           postgres::Params params, bool lock = false) {
  auto r = conn.run(
      std::string(kTicketSelect) + "WHERE " + std::string(where) + (lock ? " FOR UPDATE" : ""),
      std::move(params));
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<Ticket>();
  Ticket t = read_ticket(*r, 0);
  auto devices = conn.query(
      "SELECT device_id FROM ticket_devices WHERE ticket_id = $1" + std::string(kDeviceOrder),
      t.id);
  if (!devices) return tl::unexpected(devices.error());
  for (int i = 0; i < devices->size(); ++i) t.device_ids.push_back(devices->text(i, 0));
  return std::optional<Ticket>(std::move(t));
}

tl::unexpected<Error> exists_already(const Ticket& t) {
  return fail(ErrorCode::kConflict,
              "a ticket for " + t.external_system + " " + t.external_id + " exists already");
}

constexpr std::string_view kAttachmentColumns =
    "id, ticket_id, name, content_type, kind, visibility, sha256, size, created_at, created_by";

Attachment read_attachment(const Rows& r, int i) {
  Attachment a;
  a.id = r.int64(i, 0);
  a.ticket_id = r.int64(i, 1);
  a.name = r.text(i, 2);
  a.content_type = r.text(i, 3);
  a.kind = r.text(i, 4);
  a.visibility = parse_visibility(r.text(i, 5));
  a.sha256 = r.text(i, 6);
  a.size = r.int64(i, 7);
  a.created_at = from_ms(r.int64(i, 8));
  a.created_by = r.text(i, 9);
  return a;
}

}  // namespace

Result<std::optional<Ticket>> PgTicketRepository::find_ticket(std::int64_t id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return ticket_where(**conn, "id = $1", postgres::Params(id));
}

Result<std::optional<Ticket>> PgTicketRepository::find_ticket_by_external(
    std::string_view system, std::string_view external_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // Its current link, or the key it came in under (kept when the link moved elsewhere).
  return ticket_where(**conn,
                      "(external_system = $1 AND external_id = $2) OR id = (SELECT ticket_id FROM "
                      "ticket_origin_keys WHERE system = $1 AND external_id = $2) "
                      "ORDER BY id LIMIT 1",
                      postgres::Params(system, external_id));
}

Result<TicketPage> PgTicketRepository::list_tickets(const TicketFilter& f) {
  // Built from fixed fragments only; every value is a numbered parameter.
  postgres::Params params;
  std::string where = " WHERE true";
  auto next = [&]() { return "$" + std::to_string(params.size()); };
  if (!f.statuses.empty()) {
    std::vector<std::string> names;
    for (auto s : f.statuses) names.push_back(status_name(s));
    params.add(pg_values::text_array(names));
    where += " AND status = ANY(" + next() + "::text[])";
  }
  if (!f.priorities.empty()) {
    params.add(pg_values::int_array(f.priorities));
    where += " AND priority = ANY(" + next() + "::int[])";
  }
  if (f.tier) {
    params.add(*f.tier);
    where += " AND tier = " + next();
  }
  auto equals = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    params.add(value);
    where += std::string(" AND ") + column + " = " + next();
  };
  equals("queue", f.queue);
  equals("assignee", f.assignee);
  equals("requester", f.requester);
  if (!f.device_id.empty()) {
    params.add(f.device_id);
    where += " AND id IN (SELECT ticket_id FROM ticket_devices WHERE device_id = " + next() + ")";
  }
  if (f.problem_id) {
    params.add(*f.problem_id);
    where += " AND id IN (SELECT ticket_id FROM ticket_problems WHERE problem_id = " + next() + ")";
  }
  if (!f.text.empty()) {
    params.add(f.text);
    where += " AND strpos(lower(title), lower(" + next() + ")) > 0";
  }
  std::string key = f.sort;
  const bool descending = !key.empty() && key.front() == '-';
  if (descending) key.erase(0, 1);
  const std::string dir = descending ? " DESC" : " ASC";
  std::string order;
  if (key == "due") {
    order = " ORDER BY due_at" + dir + ", id" + dir;
  } else if (key == "created") {
    order = " ORDER BY created_at" + dir + ", id" + dir;
  } else if (key == "updated") {
    order = " ORDER BY updated_at" + dir + ", id" + dir;
  } else {
    order = " ORDER BY priority" + dir + ", due_at" + dir + ", id" + dir;
  }

  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  TicketPage page;
  auto count = (*conn)->run("SELECT COUNT(*) FROM tickets" + where, params);
  if (!count) return tl::unexpected(count.error());
  page.total = count->int64(0, 0);

  params.add(f.limit);
  const std::string limit = next();
  params.add(f.offset);
  const std::string offset = next();
  auto rows = (*conn)->run(
      std::string(kTicketSelect) + where + order + " LIMIT " + limit + " OFFSET " + offset,
      std::move(params));
  if (!rows) return tl::unexpected(rows.error());
  page.items = read_tickets(*rows);
  if (page.items.empty()) return page;

  std::vector<std::int64_t> ids;
  std::map<std::int64_t, Ticket*> by_id;
  for (auto& t : page.items) {
    ids.push_back(t.id);
    by_id[t.id] = &t;
  }
  auto devices = (*conn)->query(
      "SELECT ticket_id, device_id FROM ticket_devices WHERE ticket_id = ANY($1::bigint[]) "
      "ORDER BY ticket_id, linked_at, device_id COLLATE \"C\"",
      pg_values::int_array(ids));
  if (!devices) return tl::unexpected(devices.error());
  for (int i = 0; i < devices->size(); ++i) {
    by_id[devices->int64(i, 0)]->device_ids.push_back(devices->text(i, 1));
  }
  // The queue's findings badge: one aggregate over the page's tickets' devices.
  auto findings = (*conn)->query(
      "SELECT td.ticket_id, MAX(CASE f.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 "
      "WHEN 'info' THEN 1 ELSE 0 END), COUNT(f.rule_id) FROM ticket_devices td "
      "JOIN device_findings f ON f.device_id = td.device_id "
      "WHERE td.ticket_id = ANY($1::bigint[]) GROUP BY td.ticket_id",
      pg_values::int_array(ids));
  if (!findings) return tl::unexpected(findings.error());
  static constexpr const char* kSeverity[] = {"", "info", "warning", "critical"};
  for (int i = 0; i < findings->size(); ++i) {
    Ticket& t = *by_id[findings->int64(i, 0)];
    t.worst_severity = kSeverity[std::clamp<std::int64_t>(findings->int64(i, 1), 0, 3)];
    t.findings_count = findings->int64(i, 2);
  }
  return page;
}

Result<std::vector<Ticket>> PgTicketRepository::linked_open_tickets(std::string_view system,
                                                                    int limit) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(std::string(kTicketSelect) +
                              "WHERE external_system = $1 AND external_id IS NOT NULL AND "
                              "external_id != '' AND status NOT IN ('resolved', 'closed') "
                              "ORDER BY id LIMIT $2",
                          system, limit);
  if (!r) return tl::unexpected(r.error());
  return read_tickets(*r);
}

Result<std::vector<TicketEvent>> PgTicketRepository::ticket_events(std::int64_t ticket_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT id, ticket_id, at, actor, kind, visibility, data FROM ticket_events "
      "WHERE ticket_id = $1 ORDER BY id",
      ticket_id);
  if (!r) return tl::unexpected(r.error());
  std::vector<TicketEvent> out;
  for (int i = 0; i < r->size(); ++i) {
    TicketEvent e;
    e.id = r->int64(i, 0);
    e.ticket_id = r->int64(i, 1);
    e.at = from_ms(r->int64(i, 2));
    e.actor = r->text(i, 3);
    e.kind = r->text(i, 4);
    e.visibility = parse_visibility(r->text(i, 5));
    e.data = parse_json(r->text(i, 6), nlohmann::json::object());
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<Attachment>> PgTicketRepository::ticket_attachments(std::int64_t ticket_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query("SELECT " + std::string(kAttachmentColumns) +
                              " FROM attachments WHERE ticket_id = $1 ORDER BY id",
                          ticket_id);
  if (!r) return tl::unexpected(r.error());
  std::vector<Attachment> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(read_attachment(*r, i));
  return out;
}

Result<std::optional<Attachment>> PgTicketRepository::find_attachment(std::int64_t id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT " + std::string(kAttachmentColumns) + ", content FROM attachments WHERE id = $1", id);
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) return std::optional<Attachment>();
  Attachment a = read_attachment(*r, 0);
  a.content = r->bytes(0, 10);
  return std::optional<Attachment>(std::move(a));
}

Result<std::vector<Enrichment>> PgTicketRepository::ticket_enrichments(std::int64_t ticket_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT id, ticket_id, device_id, purpose, source, note, snapshot_at, report_seq, "
      "attachment_id, findings, changes, comparison, created_at FROM enrichments "
      "WHERE ticket_id = $1 ORDER BY id",
      ticket_id);
  if (!r) return tl::unexpected(r.error());
  std::vector<Enrichment> out;
  for (int i = 0; i < r->size(); ++i) {
    Enrichment e;
    e.id = r->int64(i, 0);
    e.ticket_id = r->int64(i, 1);
    e.device_id = r->text(i, 2);
    e.purpose = r->text(i, 3);
    e.source = r->text(i, 4);
    e.note = r->text(i, 5);
    e.snapshot_at = from_optional_ms(r->optional_int64(i, 6));
    e.report_seq = static_cast<std::uint64_t>(r->int64(i, 7));
    e.attachment_id = r->optional_int64(i, 8).value_or(0);
    e.findings = parse_json(r->text(i, 9), nlohmann::json::array());
    e.changes = parse_json(r->text(i, 10), nlohmann::json::object());
    e.comparison = parse_json(r->text(i, 11), nlohmann::json::object());
    e.created_at = from_ms(r->int64(i, 12));
    out.push_back(std::move(e));
  }
  return out;
}

Result<void> PgTicketRepository::create_ticket(Ticket& ticket, std::vector<TicketEvent> events) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // ON CONFLICT DO NOTHING: a duplicate answers kConflict and leaves the transaction usable
  // (a failed statement would abort all of it).
  auto inserted = (*conn)->query(
      "INSERT INTO tickets(title, description, requester, status, priority, tier, queue, "
      "assignee, source, external_system, external_id, created_by, created_at, updated_at, "
      "response_due_at, due_at, first_response_at, resolved_at, closed_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
      "$19) ON CONFLICT DO NOTHING RETURNING id",
      ticket.title, ticket.description, ticket.requester, status_name(ticket.status),
      ticket.priority, ticket.tier, ticket.queue, ticket.assignee, ticket.source,
      optional_text(ticket.external_system), optional_text(ticket.external_id), ticket.created_by,
      to_ms(ticket.created_at), to_ms(ticket.updated_at), to_ms(ticket.response_due_at),
      to_ms(ticket.due_at), to_optional_ms(ticket.first_response_at),
      to_optional_ms(ticket.resolved_at), to_optional_ms(ticket.closed_at));
  if (!inserted) return tl::unexpected(inserted.error());
  if (inserted->empty()) return exists_already(ticket);
  const std::int64_t id = inserted->int64(0, 0);
  if (!ticket.external_system.empty() && !ticket.external_id.empty()) {
    auto origin = (*conn)->query(
        "INSERT INTO ticket_origin_keys(system, external_id, ticket_id) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        ticket.external_system, ticket.external_id, id);
    if (!origin) return tl::unexpected(origin.error());
    if (origin->affected() == 0) {
      // The key came in before (its ticket's link moved on): take the new row back.
      if (auto r = (*conn)->query("DELETE FROM tickets WHERE id = $1", id); !r) {
        return tl::unexpected(r.error());
      }
      return exists_already(ticket);
    }
  }
  ticket.id = id;
  for (const auto& device : ticket.device_ids) {
    if (auto r = (*conn)->query(
            "INSERT INTO ticket_devices(ticket_id, device_id, linked_at) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING",
            ticket.id, device, to_ms(ticket.created_at));
        !r) {
      return tl::unexpected(r.error());
    }
  }
  for (auto& e : events) e.ticket_id = ticket.id;
  return pg_ticket_rows::insert_events(**conn, events);
}

Result<void> PgTicketRepository::update_ticket(const Ticket& t, std::int64_t expected_version,
                                               const std::vector<TicketEvent>& events) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // Conditional on the version: a racing writer waits for the row, then finds the version
  // moved on and changes nothing.
  auto r = (*conn)->query(
      "UPDATE tickets SET title = $1, description = $2, requester = $3, status = $4, "
      "priority = $5, tier = $6, queue = $7, assignee = $8, updated_at = GREATEST(updated_at, "
      "$9), response_due_at = $10, due_at = $11, first_response_at = $12, resolved_at = $13, "
      "closed_at = $14, version = version + 1 WHERE id = $15 AND version = $16",
      t.title, t.description, t.requester, status_name(t.status), t.priority, t.tier, t.queue,
      t.assignee, to_ms(t.updated_at), to_ms(t.response_due_at), to_ms(t.due_at),
      to_optional_ms(t.first_response_at), to_optional_ms(t.resolved_at),
      to_optional_ms(t.closed_at), t.id, expected_version);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) {
    return fail(ErrorCode::kConflict,
                "ticket " + std::to_string(t.id) + " was changed meanwhile; reload and retry");
  }
  return pg_ticket_rows::insert_events(**conn, events);
}

Result<void> PgTicketRepository::append_ticket_events(const std::vector<TicketEvent>& events) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  for (const auto& e : events) {
    auto touched = pg_ticket_rows::touch(**conn, e.ticket_id, e.at);
    if (!touched) return tl::unexpected(touched.error());
    if (!*touched) return fail(ErrorCode::kNotFound, "no ticket " + std::to_string(e.ticket_id));
  }
  return pg_ticket_rows::insert_events(**conn, events);
}

Result<Ticket> PgTicketRepository::link_ticket_external(std::int64_t ticket_id,
                                                        std::string_view system,
                                                        std::string_view external_id,
                                                        const TicketEvent& event) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto current =
      ticket_where(**conn, "id = $1", postgres::Params(ticket_id), connector_.in_write());
  if (!current) return tl::unexpected(current.error());
  if (!*current) return fail(ErrorCode::kNotFound, "no ticket " + std::to_string(ticket_id));
  Ticket t = std::move(**current);
  if (t.external_system == system && t.external_id == external_id) return t;
  // A help request's key stays in ticket_origin_keys once the ticket is linked.
  if (!t.external_id.empty() && t.external_system != kEndpointOrigin) {
    return fail(ErrorCode::kConflict, "ticket " + std::to_string(ticket_id) + " is linked to " +
                                          t.external_system + " " + t.external_id + " already");
  }
  const auto taken = [&] {
    return fail(ErrorCode::kConflict, std::string(system) + " ticket " + std::string(external_id) +
                                          " is linked to another ticket already");
  };
  // Checked first so the usual refusal leaves the transaction usable; a link racing in after
  // the check still fails on the unique key.
  auto other = (*conn)->query(
      "SELECT 1 FROM tickets WHERE external_system = $1 AND external_id = $2 AND id != $3", system,
      external_id, ticket_id);
  if (!other) return tl::unexpected(other.error());
  if (!other->empty()) return taken();
  auto r = (*conn)->query(
      "UPDATE tickets SET external_system = $1, external_id = $2, updated_at = "
      "GREATEST(updated_at, $3) WHERE id = $4",
      system, external_id, to_ms(event.at), ticket_id);
  if (!r) {
    if (r.error().code == ErrorCode::kConflict) return taken();
    return tl::unexpected(r.error());
  }
  TicketEvent e = event;
  e.ticket_id = ticket_id;
  if (auto w = pg_ticket_rows::insert_events(**conn, {e}); !w) return tl::unexpected(w.error());
  t.external_system = std::string(system);
  t.external_id = std::string(external_id);
  return t;
}

Result<bool> PgTicketRepository::link_ticket_device(std::int64_t ticket_id,
                                                    std::string_view device_id,
                                                    const TicketEvent& event) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "INSERT INTO ticket_devices(ticket_id, device_id, linked_at) VALUES ($1, $2, $3) "
      "ON CONFLICT DO NOTHING",
      ticket_id, device_id, to_ms(event.at));
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) return false;
  if (auto w = pg_ticket_rows::insert_events(**conn, {event}); !w) {
    return tl::unexpected(w.error());
  }
  return true;
}

Result<void> PgTicketRepository::insert_enrichment(Enrichment& e,
                                                   std::optional<Attachment> attachment,
                                                   TicketEvent event) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  std::optional<std::int64_t> attachment_id;
  if (attachment) {
    auto id = pg_ticket_rows::insert_attachment(**conn, *attachment);
    if (!id) return tl::unexpected(id.error());
    attachment_id = *id;
    e.attachment_id = *id;
  }
  auto r = (*conn)->query(
      "INSERT INTO enrichments(ticket_id, device_id, purpose, source, note, snapshot_at, "
      "report_seq, attachment_id, findings, changes, comparison, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
      e.ticket_id, e.device_id, e.purpose, e.source, e.note, to_optional_ms(e.snapshot_at),
      static_cast<std::int64_t>(e.report_seq), attachment_id, json_text(e.findings),
      json_text(e.changes), json_text(e.comparison), to_ms(e.created_at));
  if (!r) return tl::unexpected(r.error());
  e.id = r->int64(0, 0);
  event.ticket_id = e.ticket_id;
  event.data["enrichment_id"] = e.id;
  if (attachment_id) event.data["attachment_id"] = *attachment_id;
  if (auto touched = pg_ticket_rows::touch(**conn, e.ticket_id, event.at); !touched) {
    return tl::unexpected(touched.error());
  }
  return pg_ticket_rows::insert_events(**conn, {event});
}

}  // namespace triage::collector
