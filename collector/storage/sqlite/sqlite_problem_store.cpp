// SqliteStore: problems (one incident behind many tickets) and their linked tickets.
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

// Counts come from the link table so they can never drift from it.
constexpr const char* kProblemSelect =
    "SELECT p.id, p.rule_id, p.title, p.open, p.created_by, p.created_at, p.resolved_at, "
    "p.resolved_by, p.resolution, "
    "(SELECT COUNT(*) FROM ticket_problems tp WHERE tp.problem_id = p.id), "
    "(SELECT COUNT(*) FROM ticket_problems tp JOIN tickets t ON t.id = tp.ticket_id "
    " WHERE tp.problem_id = p.id AND t.status NOT IN ('resolved', 'closed')) "
    "FROM problems p";

Problem read_problem(const Statement& s) {
  Problem p;
  p.id = s.column_int(0);
  p.rule_id = s.column_text(1);
  p.title = s.column_text(2);
  p.open = s.column_int(3) != 0;
  p.created_by = s.column_text(4);
  p.created_at = from_ms(s.column_int(5));
  p.resolved_at = from_optional_ms(s.column_optional_int(6));
  p.resolved_by = s.column_text(7);
  p.resolution = s.column_text(8);
  p.tickets = s.column_int(9);
  p.open_tickets = s.column_int(10);
  return p;
}

Result<std::vector<Problem>> read_problems(Statement& st) {
  std::vector<Problem> out;
  for (;;) {
    auto row = st.step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    out.push_back(read_problem(st));
  }
}

Result<std::optional<Problem>> read_one(Statement& st) {
  auto all = read_problems(st);
  if (!all) return tl::unexpected(all.error());
  if (all->empty()) return std::optional<Problem>();
  return std::optional<Problem>(std::move(all->front()));
}

}  // namespace

Result<void> SqliteStore::create_problem(Problem& problem) {
  std::lock_guard lock(write_mutex_);
  auto st = db_->prepare(
      "INSERT INTO problems(rule_id, title, open, created_by, created_at) VALUES (?,?,1,?,?)");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, problem.rule_id)
      .bind(2, problem.title)
      .bind(3, problem.created_by)
      .bind(4, to_ms(problem.created_at));
  if (auto r = st->run(); !r) {
    if (r.error().code == ErrorCode::kConflict) {
      return fail(ErrorCode::kConflict, "an open problem for " + problem.rule_id + " exists");
    }
    return r;
  }
  problem.id = sqlite3_last_insert_rowid(db_->handle());
  problem.open = true;
  return {};
}

Result<std::optional<Problem>> SqliteStore::find_problem(std::int64_t id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string(kProblemSelect) + " WHERE p.id = ?");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, id);
  return read_one(*st);
}

Result<std::optional<Problem>> SqliteStore::open_problem_for_rule(std::string_view rule_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st =
      reader->get()->prepare(std::string(kProblemSelect) + " WHERE p.rule_id = ? AND p.open = 1");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, rule_id);
  return read_one(*st);
}

Result<std::vector<Problem>> SqliteStore::list_problems(std::optional<bool> open) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(std::string(kProblemSelect) + (open ? " WHERE p.open = ?" : "") +
                                   " ORDER BY p.id DESC");
  if (!st) return tl::unexpected(st.error());
  if (open) st->bind(1, std::int64_t{*open ? 1 : 0});
  return read_problems(*st);
}

Result<void> SqliteStore::update_problem(const Problem& problem,
                                         const std::vector<TicketEvent>& events) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<void> {
    auto st = db_->prepare(
        "UPDATE problems SET title = ?, open = ?, resolved_at = ?, resolved_by = ?, "
        "resolution = ? WHERE id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, problem.title)
        .bind(2, std::int64_t{problem.open ? 1 : 0})
        .bind(3, to_optional_ms(problem.resolved_at))
        .bind(4, problem.resolved_by)
        .bind(5, problem.resolution)
        .bind(6, problem.id);
    if (auto r = st->run(); !r) {
      if (r.error().code == ErrorCode::kConflict) {
        return fail(ErrorCode::kConflict,
                    "another open problem for " + problem.rule_id + " exists; reopen is refused");
      }
      return r;
    }
    if (db_->changes() == 0) {
      return fail(ErrorCode::kNotFound, "no problem " + std::to_string(problem.id));
    }
    if (events.empty()) return {};
    auto touch = db_->prepare("UPDATE tickets SET updated_at = MAX(updated_at, ?) WHERE id = ?");
    if (!touch) return tl::unexpected(touch.error());
    for (const auto& e : events) {
      touch->reset();
      touch->bind(1, to_ms(e.at)).bind(2, e.ticket_id);
      if (auto r = touch->run(); !r) return r;
    }
    if (auto r = insert_events(events); !r) return tl::unexpected(r.error());
    return {};
  });
}

Result<bool> SqliteStore::link_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                              const TicketEvent& event) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<bool> {
    auto st = db_->prepare(
        "INSERT OR IGNORE INTO ticket_problems(ticket_id, problem_id, linked_at, linked_by) "
        "VALUES (?,?,?,?)");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, ticket_id).bind(2, problem_id).bind(3, to_ms(event.at)).bind(4, event.actor);
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    if (db_->changes() == 0) return false;
    auto touch = db_->prepare("UPDATE tickets SET updated_at = MAX(updated_at, ?) WHERE id = ?");
    if (!touch) return tl::unexpected(touch.error());
    touch->bind(1, to_ms(event.at)).bind(2, ticket_id);
    if (auto r = touch->run(); !r) return tl::unexpected(r.error());
    if (auto r = insert_events({event}); !r) return tl::unexpected(r.error());
    return true;
  });
}

Result<bool> SqliteStore::unlink_ticket_problem(std::int64_t ticket_id, std::int64_t problem_id,
                                                const TicketEvent& event) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<bool> {
    auto st = db_->prepare("DELETE FROM ticket_problems WHERE ticket_id = ? AND problem_id = ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, ticket_id).bind(2, problem_id);
    if (auto r = st->run(); !r) return tl::unexpected(r.error());
    if (db_->changes() == 0) return false;
    if (auto r = insert_events({event}); !r) return tl::unexpected(r.error());
    return true;
  });
}

Result<std::vector<Problem>> SqliteStore::ticket_problems(std::int64_t ticket_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      std::string(kProblemSelect) +
      " WHERE p.id IN (SELECT problem_id FROM ticket_problems WHERE ticket_id = ?) ORDER BY p.id");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, ticket_id);
  return read_problems(*st);
}

Result<std::vector<std::int64_t>> SqliteStore::open_tickets_with_finding(std::string_view rule_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->prepare(
      "SELECT DISTINCT t.id FROM tickets t JOIN ticket_devices td ON td.ticket_id = t.id "
      "JOIN device_findings f ON f.device_id = td.device_id "
      "WHERE f.rule_id = ? AND t.status NOT IN ('resolved', 'closed') ORDER BY t.id");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, rule_id);
  std::vector<std::int64_t> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return out;
    out.push_back(st->column_int(0));
  }
}

}  // namespace triage::collector
