#include "collector/api/problems_api.hpp"

#include <charconv>

#include "collector/api/json_fields.hpp"
#include "collector/api/query_params.hpp"
#include "collector/tickets/problem_service.hpp"
#include "collector/tickets/ticket_views.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

TimePoint now() { return std::chrono::system_clock::now(); }

ApiResult problem_detail(ApiServices& services, std::int64_t id, http::status status) {
  ProblemService problems(services.store, services.outbox_planner);
  auto problem = problems.get(id);
  if (!problem) return tl::unexpected(problem.error());
  TicketFilter filter;
  filter.problem_id = id;
  filter.sort = "-created";
  filter.limit = 500;
  auto tickets = services.store.read().tickets().list_tickets(filter);
  if (!tickets) return tl::unexpected(tickets.error());
  const auto at = now();
  auto items = nlohmann::json::array();
  for (const auto& t : tickets->items) items.push_back(ticket_summary_json(t, at));
  auto j = problem_json(*problem);
  j["linked_tickets"] = std::move(items);
  // A large incident links thousands of tickets: the newest 500 are inline, the rest are one
  // `GET /api/v1/tickets?problem=ID` away (paged).
  j["linked_tickets_truncated"] = tickets->total > static_cast<std::int64_t>(tickets->items.size());
  // How far the fault reaches now, from the devices' latest snapshots.
  auto fleet = services.store.read().problems().fleet_findings(std::nullopt);
  if (!fleet) return tl::unexpected(fleet.error());
  j["devices_now"] = 0;
  for (const auto& f : *fleet) {
    if (f.rule_id == problem->rule_id) j["devices_now"] = f.devices;
  }
  j["reported_by"] = "endpoint";
  return json_response(status, j);
}

}  // namespace

nlohmann::json problem_json(const Problem& p) {
  return {{"id", p.id},
          {"rule", p.rule_id},
          {"title", p.title},
          {"status", p.open ? "open" : "resolved"},
          {"created_by", p.created_by},
          {"created_at", format_rfc3339(p.created_at)},
          {"resolved_at",
           p.resolved_at ? nlohmann::json(format_rfc3339(*p.resolved_at)) : nlohmann::json()},
          {"resolved_by", p.resolved_by.empty() ? nlohmann::json() : nlohmann::json(p.resolved_by)},
          {"resolution", p.resolution},
          {"tickets", p.tickets},
          {"open_tickets", p.open_tickets}};
}

ApiResult handle_list_problems(ApiServices& services, ApiRequest& request) {
  std::optional<bool> open;
  if (auto status = QueryParams(request.query).text("status"); !status.empty()) {
    if (status != "open" && status != "resolved") {
      return fail(ErrorCode::kInvalid, "`status` must be open or resolved");
    }
    open = status == "open";
  }
  return services.store.read().problems().list_problems(open).transform([](const auto& problems) {
    auto items = nlohmann::json::array();
    for (const auto& p : problems) items.push_back(problem_json(p));
    return json_response(http::status::ok, {{"problems", items}});
  });
}

ApiResult handle_open_problem(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http, {"rule", "title", "link_open_tickets"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  NewProblem p;
  p.rule_id = errors.take(string_field(*body, "rule", true)).value_or("");
  p.title = errors.take(optional_string(*body, "title")).value_or("");
  p.link_open_tickets = errors.take(bool_field(*body, "link_open_tickets")).value_or(false);
  if (errors.first) return tl::unexpected(*errors.first);
  ProblemService problems(services.store, services.outbox_planner);
  auto opened = problems.open(p, request.user->name, now());
  if (!opened) return tl::unexpected(opened.error());
  const auto id = opened->problem.id;
  return problem_detail(services, id, http::status::created).transform([id](HttpResponse res) {
    res.set(http::field::location, "/api/v1/problems/" + std::to_string(id));
    return res;
  });
}

ApiResult handle_get_problem(ApiServices& services, ApiRequest& request) {
  return numeric_path_param(request, "id", "problem").and_then([&](std::int64_t id) {
    return problem_detail(services, id, http::status::ok);
  });
}

ApiResult handle_update_problem(ApiServices& services, ApiRequest& request) {
  auto id = numeric_path_param(request, "id", "problem");
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http, {"title", "status", "resolution"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  ProblemChange change;
  change.title = errors.take(optional_string(*body, "title"));
  auto status = errors.take(optional_string(*body, "status"));
  change.resolution = errors.take(optional_string(*body, "resolution")).value_or("");
  if (errors.first) return tl::unexpected(*errors.first);
  if (status) {
    if (*status != "open" && *status != "resolved") {
      return fail(ErrorCode::kInvalid, "`status` must be open or resolved");
    }
    change.open = *status == "open";
  }
  ProblemService problems(services.store, services.outbox_planner);
  return problems.update(*id, change, request.user->name, now()).and_then([&](const auto&) {
    return problem_detail(services, *id, http::status::ok);
  });
}

ApiResult handle_link_problem_ticket(ApiServices& services, ApiRequest& request) {
  auto id = numeric_path_param(request, "id", "problem");
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http, {"ticket_id"});
  if (!body) return tl::unexpected(body.error());
  auto ticket_id = integer_field(*body, "ticket_id", 1, INT64_MAX);
  if (!ticket_id) return tl::unexpected(ticket_id.error());
  if (!*ticket_id) return fail(ErrorCode::kInvalid, "`ticket_id` is required");
  ProblemService problems(services.store, services.outbox_planner);
  return problems.link(*id, **ticket_id, request.user->name, now()).and_then([&](bool linked) {
    return problem_detail(services, *id, linked ? http::status::created : http::status::ok);
  });
}

ApiResult handle_unlink_problem_ticket(ApiServices& services, ApiRequest& request) {
  auto id = numeric_path_param(request, "id", "problem");
  if (!id) return tl::unexpected(id.error());
  auto ticket_id = numeric_path_param(request, "ticket_id", "ticket");
  if (!ticket_id) return tl::unexpected(ticket_id.error());
  ProblemService problems(services.store, services.outbox_planner);
  auto unlinked = problems.unlink(*id, *ticket_id, request.user->name, now());
  if (!unlinked) return tl::unexpected(unlinked.error());
  if (!*unlinked) {
    return fail(ErrorCode::kNotFound, "ticket " + std::to_string(*ticket_id) +
                                          " is not linked to problem " + std::to_string(*id));
  }
  return problem_detail(services, *id, http::status::ok);
}

}  // namespace triage::collector
