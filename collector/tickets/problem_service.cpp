#include "collector/tickets/problem_service.hpp"

#include <algorithm>
#include <cctype>

#include "collector/findings/rule_catalog.hpp"
#include "collector/tickets/ticket_service.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxResolutionBytes = 4096;

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

Result<void> check_title(const std::string& title) {
  if (blank(title)) return fail(ErrorCode::kInvalid, "`title` must not be empty");
  if (title.size() > kMaxTitleBytes) {
    return fail(ErrorCode::kInvalid,
                "`title` is longer than " + std::to_string(kMaxTitleBytes) + " bytes");
  }
  return {};
}

TicketEvent problem_event(std::int64_t ticket_id, const Problem& problem, const char* kind,
                          const std::string& actor, TimePoint now) {
  TicketEvent e;
  e.ticket_id = ticket_id;
  e.at = now;
  e.actor = actor;
  e.kind = kind;
  e.visibility = Visibility::kInternal;
  e.data = {{"problem_id", problem.id}, {"rule", problem.rule_id}, {"title", problem.title}};
  return e;
}

}  // namespace

Result<OpenedProblem> ProblemService::open(const NewProblem& request, const std::string& actor,
                                           TimePoint now) {
  if (!find_rule(request.rule_id)) {
    return fail(ErrorCode::kInvalid, "`rule` is not a findings rule (see /api/v1/findings/rules)");
  }
  Problem p;
  p.rule_id = request.rule_id;
  p.title = request.title.empty() ? request.rule_id + " across the fleet" : request.title;
  if (auto r = check_title(p.title); !r) return tl::unexpected(r.error());
  p.created_by = actor;
  p.created_at = now;
  if (auto r = store_.write([&](WriteTx& tx) { return tx.problems().create_problem(p); }); !r)
    return tl::unexpected(r.error());
  OpenedProblem opened;
  if (request.link_open_tickets) {
    auto tickets = store_.read().problems().open_tickets_with_finding(p.rule_id);
    if (!tickets) return tl::unexpected(tickets.error());
    for (auto ticket_id : *tickets) {
      auto linked = change_link(ticket_id, p.id,
                                problem_event(ticket_id, p, "problem_linked", actor, now), true);
      if (!linked) return tl::unexpected(linked.error());
      if (*linked) opened.linked.push_back(ticket_id);
    }
  }
  auto stored = get(p.id);
  if (!stored) return tl::unexpected(stored.error());
  opened.problem = std::move(*stored);
  return opened;
}

Result<Problem> ProblemService::get(std::int64_t id) {
  auto problem = store_.read().problems().find_problem(id);
  if (!problem) return tl::unexpected(problem.error());
  if (!*problem) return fail(ErrorCode::kNotFound, "no problem " + std::to_string(id));
  return std::move(**problem);
}

Result<Problem> ProblemService::update(std::int64_t id, const ProblemChange& change,
                                       const std::string& actor, TimePoint now) {
  auto current = get(id);
  if (!current) return current;
  Problem p = *current;
  if (change.title) {
    if (auto r = check_title(*change.title); !r) return tl::unexpected(r.error());
    p.title = *change.title;
  }
  if (change.resolution.size() > kMaxResolutionBytes) {
    return fail(ErrorCode::kInvalid,
                "`resolution` is longer than " + std::to_string(kMaxResolutionBytes) + " bytes");
  }
  const bool open_after = change.open.value_or(p.open);
  if (!change.resolution.empty() && open_after) {
    return fail(ErrorCode::kInvalid, "`resolution` is written when resolving (status resolved)");
  }
  // On a problem already resolved, a new resolution text corrects the recorded one.
  if (!change.resolution.empty() && !p.open) p.resolution = change.resolution;
  const char* event_kind = nullptr;
  if (change.open && *change.open != p.open) {
    p.open = *change.open;
    if (p.open) {
      p.resolved_at.reset();
      p.resolved_by.clear();
      p.resolution.clear();
      event_kind = "problem_reopened";
    } else {
      p.resolved_at = now;
      p.resolved_by = actor;
      p.resolution = change.resolution;
      event_kind = "problem_resolved";
    }
  }
  std::vector<TicketEvent> events;
  if (event_kind) {
    // Every linked ticket learns it: the technician working it sees the fix to verify.
    TicketFilter filter;
    filter.problem_id = id;
    filter.limit = 100'000;
    auto linked = store_.read().tickets().list_tickets(filter);
    if (!linked) return tl::unexpected(linked.error());
    for (const auto& t : linked->items) {
      if (t.status == TicketStatus::kClosed) continue;
      auto e = problem_event(t.id, p, event_kind, actor, now);
      if (!p.open && !p.resolution.empty()) e.data["resolution"] = p.resolution;
      events.push_back(std::move(e));
    }
  }
  if (auto r = store_.write([&](WriteTx& tx) -> Result<void> {
        if (auto w = tx.problems().update_problem(p, events); !w) return w;
        return plan_outbox(outbox_, tx, events);
      });
      !r) {
    return tl::unexpected(r.error());
  }
  return get(id);
}

Result<bool> ProblemService::link(std::int64_t problem_id, std::int64_t ticket_id,
                                  const std::string& actor, TimePoint now) {
  auto problem = get(problem_id);
  if (!problem) return tl::unexpected(problem.error());
  if (!problem->open) {
    return fail(ErrorCode::kConflict,
                "problem " + std::to_string(problem_id) + " is resolved; reopen it first");
  }
  auto ticket = store_.read().tickets().find_ticket(ticket_id);
  if (!ticket) return tl::unexpected(ticket.error());
  if (!*ticket) return fail(ErrorCode::kNotFound, "no ticket " + std::to_string(ticket_id));
  if ((*ticket)->status == TicketStatus::kClosed) {
    return fail(ErrorCode::kConflict, "ticket " + std::to_string(ticket_id) + " is closed");
  }
  return change_link(ticket_id, problem_id,
                     problem_event(ticket_id, *problem, "problem_linked", actor, now), true);
}

Result<bool> ProblemService::unlink(std::int64_t problem_id, std::int64_t ticket_id,
                                    const std::string& actor, TimePoint now) {
  auto problem = get(problem_id);
  if (!problem) return tl::unexpected(problem.error());
  return change_link(ticket_id, problem_id,
                     problem_event(ticket_id, *problem, "problem_unlinked", actor, now), false);
}

Result<bool> ProblemService::change_link(std::int64_t ticket_id, std::int64_t problem_id,
                                         const TicketEvent& event, bool link) {
  return store_.write([&](WriteTx& tx) -> Result<bool> {
    auto changed = link ? tx.problems().link_ticket_problem(ticket_id, problem_id, event)
                        : tx.problems().unlink_ticket_problem(ticket_id, problem_id, event);
    if (!changed || !*changed) return changed;  // nothing changed, no event written
    if (auto r = plan_outbox(outbox_, tx, {event}); !r) return tl::unexpected(r.error());
    return true;
  });
}

}  // namespace triage::collector
