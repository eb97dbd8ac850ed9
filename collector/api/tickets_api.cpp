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

ApiResult detail_response(ApiServices& services, std::int64_t id, http::status status) {
  return load_ticket_detail(services, id).transform([status](const nlohmann::json& detail) {
    return json_response(status, detail);
  });
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

ApiResult handle_create_ticket(ApiServices& services, ApiRequest& request) {
  auto body =
      parse_json_body(request.http, {"title", "description", "requester", "priority", "tier",
                                     "queue", "assignee", "device_id", "device_ids"});
  if (!body) return tl::unexpected(body.error());
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
  if (errors.first) return tl::unexpected(*errors.first);
  if (!title) return fail(ErrorCode::kInvalid, "`title` is required");
  // A viewer (L1) opens and prioritises tickets at intake; placing one at a higher tier or on
  // someone's desk is technician work, as with PATCH /tickets/{id} and escalation (which
  // records a reason).
  if (request.user && request.user->role < Role::kTechnician) {
    for (const char* field : {"tier", "assignee"}) {
      if (body->contains(field)) {
        return fail(ErrorCode::kDenied, std::string("setting `") + field +
                                            "` needs the technician role; leave it out to use the "
                                            "default");
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
  if (!created) return tl::unexpected(created.error());
  return detail_response(services, created->id, http::status::created)
      .transform([id = created->id](HttpResponse res) {
        res.set(http::field::location, "/api/v1/tickets/" + std::to_string(id));
        return res;
      });
}

ApiResult handle_list_tickets(ApiServices& services, ApiRequest& request) {
  QueryParams query(request.query);
  TicketFilter filter;
  for (const auto& word : query.list("status")) {
    auto status = parse_status(word);
    if (!status) {
      return fail(ErrorCode::kInvalid, "`status` must be new, open, pending, resolved or closed");
    }
    filter.statuses.push_back(*status);
  }
  for (const auto& word : query.list("priority")) {
    std::string digits =
        (!word.empty() && (word[0] == 'P' || word[0] == 'p')) ? word.substr(1) : word;
    if (digits.size() != 1 || digits[0] < '1' || digits[0] > '4') {
      return fail(ErrorCode::kInvalid, "`priority` must be 1-4 or P1-P4");
    }
    filter.priorities.push_back(digits[0] - '0');
  }
  if (auto tier = query.text("tier"); !tier.empty()) {
    std::string digits = (tier[0] == 'L' || tier[0] == 'l') ? tier.substr(1) : tier;
    if (digits.size() != 1 || digits[0] < '1' || digits[0] > '3') {
      return fail(ErrorCode::kInvalid, "`tier` must be 1-3 or L1-L3");
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
    if (!problem) return tl::unexpected(problem.error());
    filter.problem_id = *problem;
  }
  if (auto sort = query.text("sort"); !sort.empty()) {
    const std::string key = sort[0] == '-' ? sort.substr(1) : sort;
    if (key != "priority" && key != "due" && key != "created" && key != "updated") {
      return fail(ErrorCode::kInvalid,
                  "`sort` must be priority, due, created or updated (prefix - for descending)");
    }
    filter.sort = sort;
  }
  FieldErrors errors;
  filter.limit = static_cast<int>(errors.take(query.integer("limit", 50, 1, 500)));
  filter.offset = static_cast<int>(errors.take(query.integer("offset", 0, 0, 100'000'000)));
  if (errors.first) return tl::unexpected(*errors.first);
  auto page = services.store.read().tickets().list_tickets(filter);
  if (!page) return tl::unexpected(page.error());
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

ApiResult handle_get_ticket(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return tl::unexpected(id.error());
  auto view = QueryParams(request.query).text("view");
  if (view == "requester") {
    auto ticket = services.tickets.get(*id);
    if (!ticket) return tl::unexpected(ticket.error());
    auto events = services.store.read().tickets().ticket_events(*id);
    if (!events) return tl::unexpected(events.error());
    auto attachments = services.store.read().tickets().ticket_attachments(*id);
    if (!attachments) return tl::unexpected(attachments.error());
    return json_response(http::status::ok, ticket_detail_json(*ticket, *events, *attachments, {},
                                                              TicketView::kRequester, now()));
  }
  if (!view.empty() && view != "staff") {
    return fail(ErrorCode::kInvalid, "`view` must be staff or requester");
  }
  return detail_response(services, *id, http::status::ok);
}

ApiResult handle_update_ticket(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http, {"title", "description", "requester", "status",
                                             "priority", "tier", "queue", "assignee", "reason"});
  if (!body) return tl::unexpected(body.error());
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
  if (errors.first) return tl::unexpected(*errors.first);
  if (status) {
    change.status = parse_status(*status);
    if (!change.status) {
      return fail(ErrorCode::kInvalid, "`status` must be new, open, pending, resolved or closed");
    }
  }
  return services.tickets.update(*id, change, actor(request), now()).and_then([&](const Ticket&) {
    return detail_response(services, *id, http::status::ok);
  });
}

ApiResult handle_add_note(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http, {"text", "visibility"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto text = errors.take(optional_string(*body, "text"));
  auto visibility = errors.take(optional_string(*body, "visibility")).value_or("internal");
  if (errors.first) return tl::unexpected(*errors.first);
  if (!text) return fail(ErrorCode::kInvalid, "`text` is required");
  if (visibility != "internal" && visibility != "public") {
    return fail(ErrorCode::kInvalid, "`visibility` must be internal or public");
  }
  return services.tickets
      .add_note(*id, *text, visibility == "public" ? Visibility::kPublic : Visibility::kInternal,
                actor(request), now())
      .transform([](const TicketEvent& note) {
        return json_response(http::status::created, event_json(note));
      });
}

ApiResult handle_add_time(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http, {"minutes", "note"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto minutes = errors.take(optional_int(*body, "minutes"));
  auto note = errors.take(optional_string(*body, "note")).value_or("");
  if (errors.first) return tl::unexpected(*errors.first);
  if (!minutes) return fail(ErrorCode::kInvalid, "`minutes` is required");
  return services.tickets.add_time(*id, *minutes, note, actor(request), now())
      .transform([](const TicketEvent& entry) {
        return json_response(http::status::created, event_json(entry));
      });
}

ApiResult handle_escalate(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http, {"reason", "to_tier"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto reason = errors.take(optional_string(*body, "reason")).value_or("");
  auto to_tier = errors.take(tier_field(*body, "to_tier"));
  if (errors.first) return tl::unexpected(*errors.first);
  return services.tickets.escalate(*id, to_tier, reason, actor(request), now())
      .and_then([&](const auto&) { return detail_response(services, *id, http::status::ok); });
}

ApiResult handle_link_device(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http, {"device_id"});
  if (!body) return tl::unexpected(body.error());
  auto device_id = optional_string(*body, "device_id");
  if (!device_id) return tl::unexpected(device_id.error());
  if (!*device_id) return fail(ErrorCode::kInvalid, "`device_id` is required");
  return services.tickets.link_device(*id, **device_id, actor(request), now())
      .and_then([&](bool linked) {
        return detail_response(services, *id, linked ? http::status::created : http::status::ok);
      });
}

ApiResult handle_refresh_diagnostics(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return tl::unexpected(id.error());
  auto ticket = services.tickets.get(*id);
  if (!ticket) return tl::unexpected(ticket.error());
  if (ticket->status == TicketStatus::kClosed) {
    return fail(ErrorCode::kConflict, "ticket " + std::to_string(*id) + " is closed");
  }
  if (ticket->device_ids.empty()) {
    return fail(ErrorCode::kConflict, "no device is linked to this ticket");
  }
  for (const auto& device : ticket->device_ids) {
    services.enrichment.enrich(*id, device, "refresh");
  }
  return json_response(http::status::accepted,
                       {{"ticket_id", *id}, {"devices", ticket->device_ids}});
}

ApiResult handle_get_attachment(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request);
  if (!id) return tl::unexpected(id.error());
  auto attachment_id = numeric_path_param(request, "aid", "attachment");
  if (!attachment_id) return tl::unexpected(attachment_id.error());
  auto attachment = services.store.read().tickets().find_attachment(*attachment_id);
  if (!attachment) return tl::unexpected(attachment.error());
  if (!*attachment || (*attachment)->ticket_id != *id) {
    return fail(ErrorCode::kNotFound, "no such attachment");
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
