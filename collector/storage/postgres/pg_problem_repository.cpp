// PostgreSQL: each device's current findings, their fleet-wide aggregation, and problems.
#include "collector/storage/postgres/pg_problem_repository.hpp"

#include "collector/storage/postgres/pg_ticket_rows.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using postgres::Rows;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

// Counts come from the link table so they can never drift from it.
constexpr std::string_view kProblemSelect =
    "SELECT p.id, p.rule_id, p.title, p.open, p.created_by, p.created_at, p.resolved_at, "
    "p.resolved_by, p.resolution, "
    "(SELECT COUNT(*) FROM ticket_problems tp WHERE tp.problem_id = p.id), "
    "(SELECT COUNT(*) FROM ticket_problems tp JOIN tickets t ON t.id = tp.ticket_id "
    " WHERE tp.problem_id = p.id AND t.status NOT IN ('resolved', 'closed')) "
    "FROM problems p ";

std::vector<Problem> read_problems(const Rows& r) {
  std::vector<Problem> out;
  for (int i = 0; i < r.size(); ++i) {
    Problem p;
    p.id = r.int64(i, 0);
    p.rule_id = r.text(i, 1);
    p.title = r.text(i, 2);
    p.open = r.boolean(i, 3);
    p.created_by = r.text(i, 4);
    p.created_at = from_ms(r.int64(i, 5));
    p.resolved_at = from_optional_ms(r.optional_int64(i, 6));
    p.resolved_by = r.text(i, 7);
    p.resolution = r.text(i, 8);
    p.tickets = r.int64(i, 9);
    p.open_tickets = r.int64(i, 10);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::optional<Problem>> first(Result<Rows> rows) {
  if (!rows) return tl::unexpected(rows.error());
  auto all = read_problems(*rows);
  if (all.empty()) return std::optional<Problem>();
  return std::optional<Problem>(std::move(all.front()));
}

}  // namespace

Result<std::vector<DeviceFinding>> PgProblemRepository::device_findings(
    std::string_view device_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // COLLATE "C": the byte order SQLite sorts by, whatever the database's locale.
  auto r = (*conn)->query(
      "SELECT device_id, rule_id, subject, severity, title, evidence, first_seen, last_seen "
      "FROM device_findings WHERE device_id = $1 "
      "ORDER BY rule_id COLLATE \"C\", subject COLLATE \"C\"",
      device_id);
  if (!r) return tl::unexpected(r.error());
  std::vector<DeviceFinding> out;
  for (int i = 0; i < r->size(); ++i) {
    out.push_back(DeviceFinding{r->text(i, 0), r->text(i, 1), r->text(i, 2), r->text(i, 3),
                                r->text(i, 4), r->text(i, 5), from_ms(r->int64(i, 6)),
                                from_ms(r->int64(i, 7))});
  }
  return out;
}

Result<std::vector<FleetFinding>> PgProblemRepository::fleet_findings(
    std::optional<TimePoint> since) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // Revoked devices no longer count towards an incident.
  constexpr std::string_view kWhere =
      " WHERE f.first_seen >= $1 AND f.device_id IN (SELECT id FROM devices WHERE revoked_at IS "
      "NULL)";
  const std::int64_t since_ms = since ? to_ms(*since) : 0;
  auto r = (*conn)->query(
      "SELECT f.rule_id, MAX(CASE f.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 "
      "END), MIN(f.title COLLATE \"C\"), COUNT(DISTINCT f.device_id), MIN(f.first_seen), "
      "MAX(f.last_seen) FROM device_findings f" +
          std::string(kWhere) +
          " GROUP BY f.rule_id ORDER BY COUNT(DISTINCT f.device_id) DESC, f.rule_id COLLATE \"C\"",
      since_ms);
  if (!r) return tl::unexpected(r.error());
  std::vector<FleetFinding> out;
  for (int i = 0; i < r->size(); ++i) {
    FleetFinding f;
    f.rule_id = r->text(i, 0);
    const auto rank = r->int64(i, 1);
    f.severity = rank == 3 ? "critical" : rank == 2 ? "warning" : "info";
    f.title = r->text(i, 2);
    f.devices = r->int64(i, 3);
    f.first_seen = from_ms(r->int64(i, 4));
    f.last_seen = from_ms(r->int64(i, 5));
    out.push_back(std::move(f));
  }
  for (auto& f : out) {
    // A device shows a rule once per subject: its earliest sighting places it.
    auto examples =
        (*conn)->query("SELECT f.device_id FROM device_findings f" + std::string(kWhere) +
                           " AND f.rule_id = $2 GROUP BY f.device_id ORDER BY MIN(f.first_seen), "
                           "f.device_id COLLATE \"C\" LIMIT 10",
                       since_ms, f.rule_id);
    if (!examples) return tl::unexpected(examples.error());
    for (int i = 0; i < examples->size(); ++i) f.example_devices.push_back(examples->text(i, 0));
  }
  return out;
}

Result<std::optional<Problem>> PgProblemRepository::find_problem(std::int64_t id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return first((*conn)->query(std::string(kProblemSelect) + "WHERE p.id = $1", id));
}

Result<std::optional<Problem>> PgProblemRepository::open_problem_for_rule(
    std::string_view rule_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return first(
      (*conn)->query(std::string(kProblemSelect) + "WHERE p.rule_id = $1 AND p.open", rule_id));
}

Result<std::vector<Problem>> PgProblemRepository::list_problems(std::optional<bool> open) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = open ? (*conn)->query(
                      std::string(kProblemSelect) + "WHERE p.open = $1 ORDER BY p.id DESC", *open)
                : (*conn)->query(std::string(kProblemSelect) + "ORDER BY p.id DESC");
  if (!r) return tl::unexpected(r.error());
  return read_problems(*r);
}

Result<std::vector<Problem>> PgProblemRepository::ticket_problems(std::int64_t ticket_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      std::string(kProblemSelect) +
          "WHERE p.id IN (SELECT problem_id FROM ticket_problems WHERE ticket_id = $1) "
          "ORDER BY p.id",
      ticket_id);
  if (!r) return tl::unexpected(r.error());
  return read_problems(*r);
}

Result<std::vector<std::int64_t>> PgProblemRepository::open_tickets_with_finding(
    std::string_view rule_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT DISTINCT t.id FROM tickets t JOIN ticket_devices td ON td.ticket_id = t.id "
      "JOIN device_findings f ON f.device_id = td.device_id "
      "WHERE f.rule_id = $1 AND t.status NOT IN ('resolved', 'closed') ORDER BY t.id",
      rule_id);
  if (!r) return tl::unexpected(r.error());
  std::vector<std::int64_t> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->int64(i, 0));
  return out;
}

Result<void> PgProblemRepository::replace_device_findings(std::string_view device_id,
                                                          const std::vector<DeviceFinding>& current,
                                                          TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // Upsert (keeping first_seen), then sweep what was not seen now.
  for (const auto& f : current) {
    if (auto r = (*conn)->query(
            "INSERT INTO device_findings(device_id, rule_id, subject, severity, title, evidence, "
            "first_seen, last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
            "ON CONFLICT (device_id, rule_id, subject) DO UPDATE SET severity = "
            "excluded.severity, title = excluded.title, evidence = excluded.evidence, "
            "last_seen = excluded.last_seen",
            device_id, f.rule_id, f.subject, f.severity, f.title, f.evidence, to_ms(now));
        !r) {
      return tl::unexpected(r.error());
    }
  }
  return postgres::done(
      (*conn)->query("DELETE FROM device_findings WHERE device_id = $1 AND last_seen < $2",
                     device_id, to_ms(now)));
}

Result<void> PgProblemRepository::create_problem(Problem& problem) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // ON CONFLICT DO NOTHING: the one open problem per rule answers kConflict and leaves the
  // transaction usable.
  auto r = (*conn)->query(
      "INSERT INTO problems(rule_id, title, open, created_by, created_at) "
      "VALUES ($1, $2, true, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
      problem.rule_id, problem.title, problem.created_by, to_ms(problem.created_at));
  if (!r) return tl::unexpected(r.error());
  if (r->empty()) {
    return fail(ErrorCode::kConflict, "an open problem for " + problem.rule_id + " exists");
  }
  problem.id = r->int64(0, 0);
  problem.open = true;
  return {};
}

Result<void> PgProblemRepository::update_problem(const Problem& problem,
                                                 const std::vector<TicketEvent>& events) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  const auto reopen_refused = [&] {
    return fail(ErrorCode::kConflict,
                "another open problem for " + problem.rule_id + " exists; reopen is refused");
  };
  if (problem.open) {
    // Checked first so the usual refusal leaves the transaction usable; a reopen racing in
    // after the check still fails on the unique index.
    auto other = (*conn)->query(
        "SELECT 1 FROM problems WHERE open AND id != $1 AND rule_id = "
        "(SELECT rule_id FROM problems WHERE id = $1)",
        problem.id);
    if (!other) return tl::unexpected(other.error());
    if (!other->empty()) return reopen_refused();
  }
  auto r = (*conn)->query(
      "UPDATE problems SET title = $1, open = $2, resolved_at = $3, resolved_by = $4, "
      "resolution = $5 WHERE id = $6",
      problem.title, problem.open, to_optional_ms(problem.resolved_at), problem.resolved_by,
      problem.resolution, problem.id);
  if (!r) {
    if (r.error().code == ErrorCode::kConflict) return reopen_refused();
    return tl::unexpected(r.error());
  }
  if (r->affected() == 0) {
    return fail(ErrorCode::kNotFound, "no problem " + std::to_string(problem.id));
  }
  for (const auto& e : events) {
    if (auto t = pg_ticket_rows::touch(**conn, e.ticket_id, e.at); !t) {
      return tl::unexpected(t.error());
    }
  }
  return pg_ticket_rows::insert_events(**conn, events);
}

Result<bool> PgProblemRepository::link_ticket_problem(std::int64_t ticket_id,
                                                      std::int64_t problem_id,
                                                      const TicketEvent& event) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "INSERT INTO ticket_problems(ticket_id, problem_id, linked_at, linked_by) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
      ticket_id, problem_id, to_ms(event.at), event.actor);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) return false;
  if (auto t = pg_ticket_rows::touch(**conn, ticket_id, event.at); !t) {
    return tl::unexpected(t.error());
  }
  if (auto w = pg_ticket_rows::insert_events(**conn, {event}); !w) {
    return tl::unexpected(w.error());
  }
  return true;
}

Result<bool> PgProblemRepository::unlink_ticket_problem(std::int64_t ticket_id,
                                                        std::int64_t problem_id,
                                                        const TicketEvent& event) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query("DELETE FROM ticket_problems WHERE ticket_id = $1 AND problem_id = $2",
                          ticket_id, problem_id);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) return false;
  if (auto w = pg_ticket_rows::insert_events(**conn, {event}); !w) {
    return tl::unexpected(w.error());
  }
  return true;
}

}  // namespace triage::collector
