// SqliteStore: tickets, timeline, attachments and enrichments.
#include <algorithm>

#include <spdlog/spdlog.h>

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

constexpr const char* kTicketColumns =
    "id, title, description, requester, status, priority, tier, queue, assignee, source, "
    "external_system, external_id, created_by, created_at, updated_at, response_due_at, due_at, "
    "first_response_at, resolved_at, closed_at, version";

Ticket read_ticket(const Statement& s) {
  Ticket t;
  t.id = s.column_int(0);
  t.title = s.column_text(1);
  t.description = s.column_text(2);
  t.requester = s.column_text(3);
  t.status = parse_status(s.column_text(4)).value_or(TicketStatus::kNew);
  t.priority = static_cast<int>(s.column_int(5));
  t.tier = static_cast<int>(s.column_int(6));
  t.queue = s.column_text(7);
  t.assignee = s.column_text(8);
  t.source = s.column_text(9);
  t.external_system = s.column_text(10);
  t.external_id = s.column_text(11);
  t.created_by = s.column_text(12);
  t.created_at = from_ms(s.column_int(13));
  t.updated_at = from_ms(s.column_int(14));
  t.response_due_at = from_ms(s.column_int(15));
  t.due_at = from_ms(s.column_int(16));
  t.first_response_at = from_optional_ms(s.column_optional_int(17));
  t.resolved_at = from_optional_ms(s.column_optional_int(18));
  t.closed_at = from_optional_ms(s.column_optional_int(19));
  t.version = s.column_int(20);
  return t;
}

Visibility parse_visibility(const std::string& text) {
  return text == "public" ? Visibility::kPublic : Visibility::kInternal;
}

nlohmann::json parse_stored_json(const std::string& text, nlohmann::json fallback) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

// Endpoint-supplied text could carry invalid UTF-8; never let it throw while storing.
std::string safe_dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// NULL rather than '' for absent external ids, so UNIQUE only binds real pairs.
void bind_optional_text(Statement& st, int index, const std::string& text) {
  if (text.empty()) {
    st.bind_null(index);
  } else {
    st.bind(index, text);
  }
}

template <class T, class ReadRow>
Result<std::vector<T>> read_all(Statement& st, ReadRow read_row) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_row(st));
  }
}

}  // namespace

Result<std::int64_t> SqliteStore::insert_events(const std::vector<TicketEvent>& events) {
  auto st = db_->prepare(
      "INSERT INTO ticket_events(ticket_id, at, actor, kind, visibility, data) "
      "VALUES (?,?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  for (const auto& e : events) {
    st->reset();
    st->bind(1, e.ticket_id)
        .bind(2, to_ms(e.at))
        .bind(3, e.actor)
        .bind(4, e.kind)
        .bind(5, visibility_name(e.visibility))
        .bind(6, safe_dump(e.data));
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
  }
  return sqlite3_last_insert_rowid(db_->handle());
}

Result<void> SqliteStore::create_ticket(Ticket& ticket, std::vector<TicketEvent> events) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto st = db_->prepare(
        "INSERT INTO tickets(title, description, requester, status, priority, tier, queue, "
        "assignee, source, external_system, external_id, created_by, created_at, updated_at, "
        "response_due_at, due_at, first_response_at, resolved_at, closed_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, ticket.title)
        .bind(2, ticket.description)
        .bind(3, ticket.requester)
        .bind(4, status_name(ticket.status))
        .bind(5, std::int64_t{ticket.priority})
        .bind(6, std::int64_t{ticket.tier})
        .bind(7, ticket.queue)
        .bind(8, ticket.assignee)
        .bind(9, ticket.source);
    bind_optional_text(*st, 10, ticket.external_system);
    bind_optional_text(*st, 11, ticket.external_id);
    st->bind(12, ticket.created_by)
        .bind(13, to_ms(ticket.created_at))
        .bind(14, to_ms(ticket.updated_at))
        .bind(15, to_ms(ticket.response_due_at))
        .bind(16, to_ms(ticket.due_at))
        .bind(17, to_optional_ms(ticket.first_response_at))
        .bind(18, to_optional_ms(ticket.resolved_at))
        .bind(19, to_optional_ms(ticket.closed_at));
    if (auto r = st->run(); !r) {
      if (r.error().code == ErrorCode::kConflict) {
        return fail(ErrorCode::kConflict, "a ticket for " + ticket.external_system + " " +
                                              ticket.external_id + " exists already");
      }
      return r;
    }
    ticket.id = sqlite3_last_insert_rowid(db_->handle());
    if (!ticket.external_system.empty() && !ticket.external_id.empty()) {
      auto origin = db_->prepare(
          "INSERT INTO ticket_origin_keys(system, external_id, ticket_id) VALUES (?,?,?)");
      if (!origin) return tl::unexpected(origin.error());
      origin->bind(1, ticket.external_system).bind(2, ticket.external_id).bind(3, ticket.id);
      if (auto r = origin->run(); !r) {
        if (r.error().code == ErrorCode::kConflict) {
          return fail(ErrorCode::kConflict, "a ticket for " + ticket.external_system + " " +
                                                ticket.external_id + " exists already");
        }
        return r;
      }
    }
    auto link = db_->prepare(
        "INSERT OR IGNORE INTO ticket_devices(ticket_id, device_id, linked_at) VALUES (?,?,?)");
    if (!link) return tl::unexpected(link.error());
    for (const auto& device : ticket.device_ids) {
      link->reset();
      link->bind(1, ticket.id).bind(2, device).bind(3, to_ms(ticket.created_at));
      if (auto r = link->run(); !r) return r;
    }
    for (auto& e : events) e.ticket_id = ticket.id;
    if (auto r = insert_events(events); !r) return tl::unexpected(r.error());
    return {};
  });
}

namespace {

Result<std::optional<Ticket>> read_ticket_where(sqlite::Database* db, std::string_view where_sql,
                                                const std::function<void(Statement&)>& bind) {
  auto st = db->prepare(std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE " +
                        std::string(where_sql));
  if (!st) return tl::unexpected(st.error());
  bind(*st);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<Ticket>();
  Ticket t = read_ticket(*st);
  auto devices =
      db->prepare("SELECT device_id FROM ticket_devices WHERE ticket_id = ? ORDER BY linked_at");
  if (!devices) return tl::unexpected(devices.error());
  devices->bind(1, t.id);
  auto ids = read_all<std::string>(*devices, [](const Statement& s) { return s.column_text(0); });
  if (!ids) return tl::unexpected(ids.error());
  t.device_ids = std::move(*ids);
  return std::optional<Ticket>(std::move(t));
}

}  // namespace

Result<std::optional<Ticket>> SqliteStore::find_ticket_where(
    std::string_view where_sql, const std::function<void(Statement&)>& bind) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  return read_ticket_where(reader->get(), where_sql, bind);
}

Result<std::optional<Ticket>> SqliteStore::find_ticket(std::int64_t id) {
  return find_ticket_where("id = ?", [&](Statement& s) { s.bind(1, id); });
}

Result<Ticket> SqliteStore::link_ticket_external(std::int64_t ticket_id, std::string_view system,
                                                 std::string_view external_id,
                                                 const TicketEvent& event) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<Ticket> {
    auto current =
        read_ticket_where(db_.get(), "id = ?", [&](Statement& s) { s.bind(1, ticket_id); });
    if (!current) return tl::unexpected(current.error());
    if (!*current) return fail(ErrorCode::kNotFound, "no ticket " + std::to_string(ticket_id));
    Ticket t = std::move(**current);
    if (t.external_system == system && t.external_id == external_id) return t;
    // A help request's key stays in ticket_origin_keys once the ticket is linked.
    if (!t.external_id.empty() && t.external_system != kEndpointOrigin) {
      return fail(ErrorCode::kConflict, "ticket " + std::to_string(ticket_id) + " is linked to " +
                                            t.external_system + " " + t.external_id + " already");
    }
    auto st = db_->prepare(
        "UPDATE tickets SET external_system = ?, external_id = ?, updated_at = MAX(updated_at, ?) "
        "WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, system).bind(2, external_id).bind(3, to_ms(event.at)).bind(4, ticket_id);
    if (auto r = st->run(); !r) {
      if (r.error().code == ErrorCode::kConflict) {
        return fail(ErrorCode::kConflict, std::string(system) + " ticket " +
                                              std::string(external_id) +
                                              " is linked to another ticket already");
      }
      return tl::unexpected(r.error());
    }
    TicketEvent e = event;
    e.ticket_id = ticket_id;
    if (auto r = insert_events({e}); !r) return tl::unexpected(r.error());
    t.external_system = std::string(system);
    t.external_id = std::string(external_id);
    return t;
  });
}

Result<std::vector<Ticket>> SqliteStore::linked_open_tickets(std::string_view system, int limit) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      std::string("SELECT ") + kTicketColumns +
      " FROM tickets WHERE external_system = ? AND external_id IS NOT NULL AND external_id != '' "
      "AND status NOT IN ('resolved', 'closed') ORDER BY id LIMIT ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, system).bind(2, std::int64_t{limit});
  return read_all<Ticket>(*st, read_ticket);
}

Result<std::optional<Ticket>> SqliteStore::find_ticket_by_external(std::string_view system,
                                                                   std::string_view external_id) {
  // Its current link, or the key it came in under (kept when the link moved elsewhere).
  return find_ticket_where(
      "(external_system = ? AND external_id = ?) OR id = (SELECT ticket_id FROM "
      "ticket_origin_keys WHERE system = ? AND external_id = ?)",
      [&](Statement& s) {
        s.bind(1, system).bind(2, external_id).bind(3, system).bind(4, external_id);
      });
}

Result<TicketPage> SqliteStore::list_tickets(const TicketFilter& f) {
  // Built from fixed fragments only; every value is a bound parameter.
  std::string where = " WHERE 1=1";
  std::vector<std::function<void(Statement&, int&)>> binds;
  auto in_list = [&](const char* column, std::size_t n) {
    where += std::string(" AND ") + column + " IN (";
    for (std::size_t i = 0; i < n; ++i) where += i ? ",?" : "?";
    where += ")";
  };
  if (!f.statuses.empty()) {
    in_list("status", f.statuses.size());
    for (auto s : f.statuses) {
      binds.push_back([s](Statement& st, int& i) { st.bind(i++, status_name(s)); });
    }
  }
  if (!f.priorities.empty()) {
    in_list("priority", f.priorities.size());
    for (int p : f.priorities) {
      binds.push_back([p](Statement& st, int& i) { st.bind(i++, std::int64_t{p}); });
    }
  }
  auto equals = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    where += std::string(" AND ") + column + " = ?";
    binds.push_back([value](Statement& st, int& i) { st.bind(i++, value); });
  };
  if (f.tier) {
    where += " AND tier = ?";
    binds.push_back([t = *f.tier](Statement& st, int& i) { st.bind(i++, std::int64_t{t}); });
  }
  equals("queue", f.queue);
  equals("assignee", f.assignee);
  equals("requester", f.requester);
  if (!f.device_id.empty()) {
    where += " AND id IN (SELECT ticket_id FROM ticket_devices WHERE device_id = ?)";
    binds.push_back([d = f.device_id](Statement& st, int& i) { st.bind(i++, d); });
  }
  if (f.problem_id) {
    where += " AND id IN (SELECT ticket_id FROM ticket_problems WHERE problem_id = ?)";
    binds.push_back([p = *f.problem_id](Statement& st, int& i) { st.bind(i++, p); });
  }
  if (!f.text.empty()) {
    where += " AND instr(lower(title), lower(?)) > 0";
    binds.push_back([t = f.text](Statement& st, int& i) { st.bind(i++, t); });
  }
  std::string order;
  std::string key = f.sort;
  const bool descending = !key.empty() && key.front() == '-';
  if (descending) key.erase(0, 1);
  const char* dir = descending ? " DESC" : " ASC";
  if (key == "due") {
    order = std::string(" ORDER BY due_at") + dir + ", id" + dir;
  } else if (key == "created") {
    order = std::string(" ORDER BY created_at") + dir + ", id" + dir;
  } else if (key == "updated") {
    order = std::string(" ORDER BY updated_at") + dir + ", id" + dir;
  } else {
    order = std::string(" ORDER BY priority") + dir + ", due_at" + dir + ", id" + dir;
  }

  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  sqlite::Database* db = reader->get();
  TicketPage page;
  auto count = db->prepare("SELECT COUNT(*) FROM tickets" + where);
  if (!count) return tl::unexpected(count.error());
  int index = 1;
  for (auto& b : binds) b(*count, index);
  if (auto row = count->step(); !row) return tl::unexpected(row.error());
  page.total = count->column_int(0);

  auto st = db->prepare(std::string("SELECT ") + kTicketColumns + " FROM tickets" + where + order +
                        " LIMIT ? OFFSET ?");
  if (!st) return tl::unexpected(st.error());
  index = 1;
  for (auto& b : binds) b(*st, index);
  st->bind(index, std::int64_t{f.limit});
  st->bind(index + 1, std::int64_t{f.offset});
  auto items = read_all<Ticket>(*st, read_ticket);
  if (!items) return tl::unexpected(items.error());
  page.items = std::move(*items);
  if (!page.items.empty()) {
    auto devices = db->prepare("SELECT device_id FROM ticket_devices WHERE ticket_id = ?");
    if (!devices) return tl::unexpected(devices.error());
    // The queue's findings badge: one aggregate over the page's tickets' devices, walking the
    // (ticket_id, device_id) and (device_id, ...) primary keys.
    auto findings = db->prepare(
        "SELECT COALESCE(MAX(CASE f.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 "
        "WHEN 'info' THEN 1 ELSE 0 END), 0), COUNT(f.rule_id) FROM ticket_devices td "
        "JOIN device_findings f ON f.device_id = td.device_id WHERE td.ticket_id = ?");
    if (!findings) return tl::unexpected(findings.error());
    for (auto& t : page.items) {
      devices->reset();
      devices->bind(1, t.id);
      auto ids =
          read_all<std::string>(*devices, [](const Statement& s) { return s.column_text(0); });
      if (!ids) return tl::unexpected(ids.error());
      t.device_ids = std::move(*ids);
      if (t.device_ids.empty()) continue;
      findings->reset();
      findings->bind(1, t.id);
      auto row = findings->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) continue;
      static constexpr const char* kSeverity[] = {"", "info", "warning", "critical"};
      t.worst_severity = kSeverity[std::clamp<std::int64_t>(findings->column_int(0), 0, 3)];
      t.findings_count = findings->column_int(1);
    }
  }
  return page;
}

Result<void> SqliteStore::update_ticket(const Ticket& t, std::int64_t expected_version,
                                        const std::vector<TicketEvent>& events) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto st = db_->prepare(
        "UPDATE tickets SET title = ?, description = ?, requester = ?, status = ?, priority = ?, "
        "tier = ?, queue = ?, assignee = ?, updated_at = MAX(updated_at, ?), response_due_at = ?, "
        "due_at = ?, "
        "first_response_at = ?, resolved_at = ?, closed_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, t.title)
        .bind(2, t.description)
        .bind(3, t.requester)
        .bind(4, status_name(t.status))
        .bind(5, std::int64_t{t.priority})
        .bind(6, std::int64_t{t.tier})
        .bind(7, t.queue)
        .bind(8, t.assignee)
        .bind(9, to_ms(t.updated_at))
        .bind(10, to_ms(t.response_due_at))
        .bind(11, to_ms(t.due_at))
        .bind(12, to_optional_ms(t.first_response_at))
        .bind(13, to_optional_ms(t.resolved_at))
        .bind(14, to_optional_ms(t.closed_at))
        .bind(15, t.id)
        .bind(16, expected_version);
    if (auto r = st->run(); !r) return r;
    if (db_->changes() == 0) {
      return fail(ErrorCode::kConflict,
                  "ticket " + std::to_string(t.id) + " was changed meanwhile; reload and retry");
    }
    if (auto r = insert_events(events); !r) return tl::unexpected(r.error());
    return {};
  });
}

Result<void> SqliteStore::append_ticket_events(const std::vector<TicketEvent>& events) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto touch = db_->prepare("UPDATE tickets SET updated_at = MAX(updated_at, ?) WHERE id = ?");
    if (!touch) return tl::unexpected(touch.error());
    for (const auto& e : events) {
      touch->reset();
      touch->bind(1, to_ms(e.at)).bind(2, e.ticket_id);
      if (auto r = touch->run(); !r) return r;
      if (db_->changes() == 0) {
        return fail(ErrorCode::kNotFound, "no ticket " + std::to_string(e.ticket_id));
      }
    }
    if (auto r = insert_events(events); !r) return tl::unexpected(r.error());
    return {};
  });
}

Result<bool> SqliteStore::link_ticket_device(std::int64_t ticket_id, std::string_view device_id,
                                             const TicketEvent& event) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<bool> {
    auto st = db_->prepare(
        "INSERT OR IGNORE INTO ticket_devices(ticket_id, device_id, linked_at) VALUES (?,?,?)");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, ticket_id).bind(2, device_id).bind(3, to_ms(event.at));
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    if (db_->changes() == 0) return false;
    if (auto r = insert_events({event}); !r) return tl::unexpected(r.error());
    return true;
  });
}

Result<std::vector<TicketEvent>> SqliteStore::ticket_events(std::int64_t ticket_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT id, ticket_id, at, actor, kind, visibility, data FROM ticket_events "
      "WHERE ticket_id = ? ORDER BY id");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, ticket_id);
  return read_all<TicketEvent>(*st, [](const Statement& s) {
    TicketEvent e;
    e.id = s.column_int(0);
    e.ticket_id = s.column_int(1);
    e.at = from_ms(s.column_int(2));
    e.actor = s.column_text(3);
    e.kind = s.column_text(4);
    e.visibility = parse_visibility(s.column_text(5));
    e.data = parse_stored_json(s.column_text(6), nlohmann::json::object());
    return e;
  });
}

namespace {
constexpr const char* kAttachmentColumns =
    "id, ticket_id, name, content_type, kind, visibility, sha256, size, created_at, created_by";

Attachment read_attachment(const Statement& s) {
  Attachment a;
  a.id = s.column_int(0);
  a.ticket_id = s.column_int(1);
  a.name = s.column_text(2);
  a.content_type = s.column_text(3);
  a.kind = s.column_text(4);
  a.visibility = parse_visibility(s.column_text(5));
  a.sha256 = s.column_text(6);
  a.size = s.column_int(7);
  a.created_at = from_ms(s.column_int(8));
  a.created_by = s.column_text(9);
  return a;
}
}  // namespace

Result<std::vector<Attachment>> SqliteStore::ticket_attachments(std::int64_t ticket_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kAttachmentColumns +
                                   " FROM attachments WHERE ticket_id = ? ORDER BY id");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, ticket_id);
  return read_all<Attachment>(*st, read_attachment);
}

Result<std::optional<Attachment>> SqliteStore::find_attachment(std::int64_t id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string("SELECT ") + kAttachmentColumns +
                                   ", content FROM attachments WHERE id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<Attachment>();
  Attachment a = read_attachment(*st);
  a.content = st->column_blob(10);
  return std::optional<Attachment>(std::move(a));
}

Result<std::int64_t> SqliteStore::write_attachment(const Attachment& attachment) {
  auto st = db_->prepare(
      "INSERT INTO attachments(ticket_id, name, content_type, kind, visibility, sha256, size, "
      "created_at, created_by, content) VALUES (?,?,?,?,?,?,?,?,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, attachment.ticket_id)
      .bind(2, attachment.name)
      .bind(3, attachment.content_type)
      .bind(4, attachment.kind)
      .bind(5, visibility_name(attachment.visibility))
      .bind(6, attachment.sha256)
      .bind(7, static_cast<std::int64_t>(attachment.content.size()))
      .bind(8, to_ms(attachment.created_at))
      .bind(9, attachment.created_by)
      .bind_blob(10, attachment.content);
  if (auto r = st->run(); !r) return tl::unexpected(r.error());
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_->handle()));
}

Result<void> SqliteStore::insert_enrichment(Enrichment& e, std::optional<Attachment> attachment,
                                            TicketEvent event) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    std::optional<std::int64_t> attachment_id;
    if (attachment) {
      auto id = write_attachment(*attachment);
      if (!id) return tl::unexpected(id.error());
      attachment_id = *id;
      e.attachment_id = *attachment_id;
    }
    auto st = db_->prepare(
        "INSERT INTO enrichments(ticket_id, device_id, purpose, source, note, snapshot_at, "
        "report_seq, attachment_id, findings, changes, comparison, created_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, e.ticket_id)
        .bind(2, e.device_id)
        .bind(3, e.purpose)
        .bind(4, e.source)
        .bind(5, e.note)
        .bind(6, to_optional_ms(e.snapshot_at))
        .bind(7, static_cast<std::int64_t>(e.report_seq))
        .bind(8, attachment_id)
        .bind(9, safe_dump(e.findings))
        .bind(10, safe_dump(e.changes))
        .bind(11, safe_dump(e.comparison))
        .bind(12, to_ms(e.created_at));
    if (auto r = st->run(); !r) return r;
    e.id = sqlite3_last_insert_rowid(db_->handle());
    event.ticket_id = e.ticket_id;
    event.data["enrichment_id"] = e.id;
    if (attachment_id) event.data["attachment_id"] = *attachment_id;
    auto touch = db_->prepare("UPDATE tickets SET updated_at = MAX(updated_at, ?) WHERE id = ?");
    if (!touch) return tl::unexpected(touch.error());
    touch->bind(1, to_ms(event.at)).bind(2, e.ticket_id);
    if (auto r = touch->run(); !r) return r;
    if (auto r = insert_events({event}); !r) return tl::unexpected(r.error());
    return {};
  });
}

Result<std::vector<Enrichment>> SqliteStore::ticket_enrichments(std::int64_t ticket_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT id, ticket_id, device_id, purpose, source, note, snapshot_at, report_seq, "
      "attachment_id, findings, changes, comparison, created_at FROM enrichments "
      "WHERE ticket_id = ? ORDER BY id");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, ticket_id);
  return read_all<Enrichment>(*st, [](const Statement& s) {
    Enrichment e;
    e.id = s.column_int(0);
    e.ticket_id = s.column_int(1);
    e.device_id = s.column_text(2);
    e.purpose = s.column_text(3);
    e.source = s.column_text(4);
    e.note = s.column_text(5);
    e.snapshot_at = from_optional_ms(s.column_optional_int(6));
    e.report_seq = static_cast<std::uint64_t>(s.column_int(7));
    e.attachment_id = s.column_optional_int(8).value_or(0);
    e.findings = parse_stored_json(s.column_text(9), nlohmann::json::array());
    e.changes = parse_stored_json(s.column_text(10), nlohmann::json::object());
    e.comparison = parse_stored_json(s.column_text(11), nlohmann::json::object());
    e.created_at = from_ms(s.column_int(12));
    return e;
  });
}

}  // namespace triage::collector
