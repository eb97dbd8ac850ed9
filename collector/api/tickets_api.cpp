#include "collector/api/tickets_api.hpp"

#include <charconv>

#include "collector/api/json_fields.hpp"
#include "collector/api/problems_api.hpp"
#include "collector/api/query_params.hpp"
#include "collector/api/ticket_fields.hpp"
#include "collector/tickets/ticket_service.hpp"
#include "collector/tickets/ticket_views.hpp"

namespace triage::collector {

namespace {

TimePoint now() { return std::chrono::system_clock::now(); }

const std::string& actor(const ApiRequest& request) { return request.user->name; }

Result<std::int64_t> path_id(ApiRequest& request) {
  return numeric_path_param(request, "id", "ticket");
}

HttpResponse detail_response(ApiServices& services, std::int64_t id, http::status status) {
  auto detail = load_ticket_detail(services, id);
  if (!detail) return error_response(detail.error());
  return json_response(status, *detail);
}

}  // namespace

Result<nlohmann::json> load_ticket_detail(ApiServices& services, std::int64_t id) {
  auto ticket = services.tickets.get(id);
  if (!ticket) return tl::unexpected(ticket.error());
  auto events = services.store.read().tickets().ticket_events(id);
  if (!events) return tl::unexpected(events.error());
  auto attachments = services.store.read().tickets().ticket_attachments(id);
  if (!attachments) return tl::unexpected(attachments.error());
  auto enrichments = services.store.read().tickets().ticket_enrichments(id);
  if (!enrichments) return tl::unexpected(enrichments.error());
  auto problems = services.store.read().problems().ticket_problems(id);
  if (!problems) return tl::unexpected(problems.error());
  auto detail =
      ticket_detail_json(*ticket, *events, *attachments, *enrichments, TicketView::kStaff, now());
  detail["problems"] = nlohmann::json::array();
  for (const auto& p : *problems) detail["problems"].push_back(problem_json(p));
  return detail;
}

HttpResponse handle_create_ticket(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http);
  if (!body) return error_response(body.error());
  if (auto r =
          reject_unknown_fields(*body, {"title", "description", "requester", "priority", "tier",
                                        "queue", "assignee", "device_id", "device_ids"});
      !r) {
    return error_response(r.error());
  }
  FieldErrors errors;
  NewTicket t;
  auto title = errors.take(optional_string(*body, "title"));
  auto description = errors.take(optional_string(*body, "description"));
  auto requester = errors.take(optional_string(*body, "requester"));
  auto priority = errors.take(priority_field(*body));
  auto tier = errors.take(tier_field(*body, "tier"));
  auto queue = errors.take(optional_string(*body, "queue"));
  auto assignee = errors.take(optional_string(*body, "assignee"));
  auto device_id = errors.take(optional_string(*body, "device_id"));
  auto device_ids = errors.take(optional_string_list(*body, "device_ids", 50));
  if (errors.first) return error_response(*errors.first);
  if (!title) return error_response(Error{"`title` is required", ErrorCode::kInvalid});
  // A viewer (L1) opens and prioritises tickets at intake; placing one at a higher tier or on
  // someone's desk is technician work, as with PATCH /tickets/{id} and escalation (which
  // records a reason).
  if (request.user && request.user->role < Role::kTechnician) {
    for (const char* field : {"tier", "assignee"}) {
      if (body->contains(field)) {
        return error_response(Error{std::string("setting `") + field +
                                        "` needs the technician role; leave it out to use the "
                                        "default",
                                    ErrorCode::kDenied});
      }
    }
  }
  t.title = *title;
  t.description = description.value_or("");
  t.requester = requester.value_or("");
  t.priority = priority.value_or(3);
  t.tier = tier.value_or(1);
  t.queue = queue.value_or("default");
  t.assignee = assignee.value_or("");
  if (device_ids) t.device_ids = *device_ids;
  if (device_id) t.device_ids.push_back(*device_id);
  t.source = "staff";
  auto created = services.tickets.create(std::move(t), actor(request), now());
  if (!created) return error_response(created.error());
  auto res = detail_response(services, created->id, http::status::created);
  res.set(http::field::location, "/api/v1/tickets/" + std::to_string(created->id));
  return res;
}

HttpResponse handle_list_tickets(ApiServices& services, ApiRequest& request) {
  QueryParams query(request.query);
  TicketFilter filter;
  for (const auto& word : query.list("status")) {
    auto status = parse_status(word);
    if (!status) {
      return error_response(
          Error{"`status` must be new, open, pending, resolved or closed", ErrorCode::kInvalid});
    }
    filter.statuses.push_back(*status);
  }
  for (const auto& word : query.list("priority")) {
    std::string digits =
        (!word.empty() && (word[0] == 'P' || word[0] == 'p')) ? word.substr(1) : word;
    if (digits.size() != 1 || digits[0] < '1' || digits[0] > '4') {
      return error_response(Error{"`priority` must be 1-4 or P1-P4", ErrorCode::kInvalid});
    }
    filter.priorities.push_back(digits[0] - '0');
  }
  if (auto tier = query.text("tier"); !tier.empty()) {
    std::string digits = (tier[0] == 'L' || tier[0] == 'l') ? tier.substr(1) : tier;
    if (digits.size() != 1 || digits[0] < '1' || digits[0] > '3') {
      return error_response(Error{"`tier` must be 1-3 or L1-L3", ErrorCode::kInvalid});
    }
    filter.tier = digits[0] - '0';
  }
  filter.queue = query.text("queue");
  filter.assignee = query.text("assignee");
  filter.requester = query.text("requester");
  filter.device_id = query.text("device_id");
  filter.text = query.text("q");
  if (!query.text("problem").empty()) {
    auto problem = query.integer("problem", 0, 1, INT64_MAX);
    if (!problem) return error_response(problem.error());
    filter.problem_id = *problem;
  }
  if (auto sort = query.text("sort"); !sort.empty()) {
    const std::string key = sort[0] == '-' ? sort.substr(1) : sort;
    if (key != "priority" && key != "due" && key != "created" && key != "updated") {
      return error_response(
          Error{"`sort` must be priority, due, created or updated (prefix - for descending)",
                ErrorCode::kInvalid});
    }
    filter.sort = sort;
  }
  auto limit = query.integer("limit", 50, 1, 500);
  auto offset = query.integer("offset", 0, 0, 100'000'000);
  if (!limit) return error_response(limit.error());
  if (!offset) return error_response(offset.error());
  filter.limit = static_cast<int>(*limit);
  filter.offset = static_cast<int>(*offset);
  auto page = services.store.read().tickets().list_tickets(filter);
  if (!page) return error_response(page.error());
  auto items = nlohmann::json::array();
  const auto at = now();
  for (const auto& t : page->items) {
    auto item = ticket_summary_json(t, at);
    item["worst_severity"] =
        t.worst_severity.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.worst_severity);
    item["findings_count"] = t.findings_count;
    items.push_back(std::move(item));
  }
  return json_response(http::status::ok, {{"tickets", items},
                                          {"total", page->total},
                                          {"limit", filter.limit},
                                          {"offset", filter.offset}});
}

HttpResponse handle_get_ticket(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return error_response(id.error());
  auto view = QueryParams(request.query).text("view");
  if (view == "requester") {
    auto ticket = services.tickets.get(*id);
    if (!ticket) return error_response(ticket.error());
    auto events = services.store.read().tickets().ticket_events(*id);
    if (!events) return error_response(events.error());
    auto attachments = services.store.read().tickets().ticket_attachments(*id);
    if (!attachments) return error_response(attachments.error());
    return json_response(http::status::ok, ticket_detail_json(*ticket, *events, *attachments, {},
                                                              TicketView::kRequester, now()));
  }
  if (!view.empty() && view != "staff") {
    return error_response(Error{"`view` must be staff or requester", ErrorCode::kInvalid});
  }
  return detail_response(services, *id, http::status::ok);
}

HttpResponse handle_update_ticket(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return error_response(id.error());
  auto body = parse_json_body(request.http);
  if (!body) return error_response(body.error());
  if (auto r = reject_unknown_fields(*body, {"title", "description", "requester", "status",
                                             "priority", "tier", "queue", "assignee", "reason"});
      !r) {
    return error_response(r.error());
  }
  FieldErrors errors;
  TicketChange change;
  change.title = errors.take(optional_string(*body, "title"));
  change.description = errors.take(optional_string(*body, "description"));
  change.requester = errors.take(optional_string(*body, "requester"));
  change.priority = errors.take(priority_field(*body));
  change.tier = errors.take(tier_field(*body, "tier"));
  change.queue = errors.take(optional_string(*body, "queue"));
  auto assignee = body->find("assignee");
  if (assignee != body->end()) {
    // null unassigns.
    if (assignee->is_null()) {
      change.assignee = std::string();
    } else {
      change.assignee = errors.take(optional_string(*body, "assignee"));
    }
  }
  auto status = errors.take(optional_string(*body, "status"));
  change.reason = errors.take(optional_string(*body, "reason")).value_or("");
  if (errors.first) return error_response(*errors.first);
  if (status) {
    change.status = parse_status(*status);
    if (!change.status) {
      return error_response(
          Error{"`status` must be new, open, pending, resolved or closed", ErrorCode::kInvalid});
    }
  }
  auto updated = services.tickets.update(*id, change, actor(request), now());
  if (!updated) return error_response(updated.error());
  return detail_response(services, *id, http::status::ok);
}

HttpResponse handle_add_note(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return error_response(id.error());
  auto body = parse_json_body(request.http);
  if (!body) return error_response(body.error());
  if (auto r = reject_unknown_fields(*body, {"text", "visibility"}); !r) {
    return error_response(r.error());
  }
  FieldErrors errors;
  auto text = errors.take(optional_string(*body, "text"));
  auto visibility = errors.take(optional_string(*body, "visibility")).value_or("internal");
  if (errors.first) return error_response(*errors.first);
  if (!text) return error_response(Error{"`text` is required", ErrorCode::kInvalid});
  if (visibility != "internal" && visibility != "public") {
    return error_response(Error{"`visibility` must be internal or public", ErrorCode::kInvalid});
  }
  auto note = services.tickets.add_note(
      *id, *text, visibility == "public" ? Visibility::kPublic : Visibility::kInternal,
      actor(request), now());
  if (!note) return error_response(note.error());
  return json_response(http::status::created, event_json(*note));
}

HttpResponse handle_add_time(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return error_response(id.error());
  auto body = parse_json_body(request.http);
  if (!body) return error_response(body.error());
  if (auto r = reject_unknown_fields(*body, {"minutes", "note"}); !r) {
    return error_response(r.error());
  }
  FieldErrors errors;
  auto minutes = errors.take(optional_int(*body, "minutes"));
  auto note = errors.take(optional_string(*body, "note")).value_or("");
  if (errors.first) return error_response(*errors.first);
  if (!minutes) return error_response(Error{"`minutes` is required", ErrorCode::kInvalid});
  auto entry = services.tickets.add_time(*id, *minutes, note, actor(request), now());
  if (!entry) return error_response(entry.error());
  return json_response(http::status::created, event_json(*entry));
}

HttpResponse handle_escalate(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return error_response(id.error());
  auto body = parse_json_body(request.http);
  if (!body) return error_response(body.error());
  if (auto r = reject_unknown_fields(*body, {"reason", "to_tier"}); !r) {
    return error_response(r.error());
  }
  FieldErrors errors;
  auto reason = errors.take(optional_string(*body, "reason")).value_or("");
  auto to_tier = errors.take(tier_field(*body, "to_tier"));
  if (errors.first) return error_response(*errors.first);
  auto escalated = services.tickets.escalate(*id, to_tier, reason, actor(request), now());
  if (!escalated) return error_response(escalated.error());
  return detail_response(services, *id, http::status::ok);
}

HttpResponse handle_link_device(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return error_response(id.error());
  auto body = parse_json_body(request.http);
  if (!body) return error_response(body.error());
  if (auto r = reject_unknown_fields(*body, {"device_id"}); !r) return error_response(r.error());
  auto device_id = optional_string(*body, "device_id");
  if (!device_id) return error_response(device_id.error());
  if (!*device_id) return error_response(Error{"`device_id` is required", ErrorCode::kInvalid});
  auto linked = services.tickets.link_device(*id, **device_id, actor(request), now());
  if (!linked) return error_response(linked.error());
  return detail_response(services, *id, *linked ? http::status::created : http::status::ok);
}

HttpResponse handle_refresh_diagnostics(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return error_response(id.error());
  auto ticket = services.tickets.get(*id);
  if (!ticket) return error_response(ticket.error());
  if (ticket->status == TicketStatus::kClosed) {
    return error_response(
        Error{"ticket " + std::to_string(*id) + " is closed", ErrorCode::kConflict});
  }
  if (ticket->device_ids.empty()) {
    return error_response(Error{"no device is linked to this ticket", ErrorCode::kConflict});
  }
  for (const auto& device : ticket->device_ids) {
    services.enrichment.enrich(*id, device, "refresh");
  }
  return json_response(http::status::accepted,
                       {{"ticket_id", *id}, {"devices", ticket->device_ids}});
}

HttpResponse handle_get_attachment(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return error_response(id.error());
  auto attachment_id = numeric_path_param(request, "aid", "attachment");
  if (!attachment_id) return error_response(attachment_id.error());
  auto attachment = services.store.read().tickets().find_attachment(*attachment_id);
  if (!attachment) return error_response(attachment.error());
  if (!*attachment || (*attachment)->ticket_id != *id) {
    return error_response(http::status::not_found, "not_found", "no such attachment");
  }
  const auto& a = **attachment;
  HttpResponse res{http::status::ok, 11};
  // Served as a download, never rendered by the browser in the console's origin.
  res.set(http::field::content_type,
          a.content_type == "application/json" ? "application/json" : "application/octet-stream");
  res.set(http::field::content_disposition,
          "attachment; filename=\"attachment-" + std::to_string(a.id) + "\"");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Content-SHA256", a.sha256);
  res.body() = a.content;
  res.prepare_payload();
  return res;
}

}  // namespace triage::collector
