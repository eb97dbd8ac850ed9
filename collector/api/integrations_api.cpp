#include "collector/api/integrations_api.hpp"

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/api/ticket_fields.hpp"
#include "collector/tickets/external_ticket_sync.hpp"
#include "collector/tickets/ticket_views.hpp"

namespace triage::collector {

namespace {

Result<std::optional<ExternalComment>> comment_field(const nlohmann::json& body) {
  auto it = body.find("comment");
  if (it == body.end() || it->is_null()) return std::optional<ExternalComment>();
  if (!it->is_object()) {
    return fail(ErrorCode::kInvalid, "`comment` must be an object {id, text, visibility}");
  }
  if (auto r = reject_unknown_fields(*it, {"id", "text", "visibility"}); !r) {
    return fail(ErrorCode::kInvalid, "`comment`: " + r.error().message);
  }
  FieldErrors errors;
  auto id = errors.take(string_field(*it, "id", true));
  auto text = errors.take(string_field(*it, "text", true));
  auto visibility = errors.take(optional_string(*it, "visibility")).value_or("public");
  if (errors.first) return fail(ErrorCode::kInvalid, "`comment`: " + errors.first->message);
  if (visibility != "public" && visibility != "internal") {
    return fail(ErrorCode::kInvalid, "`comment.visibility` must be public or internal");
  }
  return ExternalComment{*id, *text,
                         visibility == "public" ? Visibility::kPublic : Visibility::kInternal};
}

}  // namespace

ApiResult handle_integration_ticket(ApiServices& services, ApiRequest& request) {
  // Integrations are machines: a revocable, named API token, never a person's session.
  if (!request.auth || request.auth->kind != AuthKind::kApiToken) {
    return fail(ErrorCode::kDenied, "integrations authenticate with an API token (Bearer trt_...)");
  }
  auto body = parse_json_body(
      request.http, {"external_system", "external_id", "title", "description", "requester",
                     "priority", "status", "queue", "device_id", "comment"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  ExternalTicket t;
  t.system = errors.take(string_field(*body, "external_system", true)).value_or("");
  t.id = errors.take(string_field(*body, "external_id", true)).value_or("");
  t.title = errors.take(optional_string(*body, "title"));
  t.description = errors.take(optional_string(*body, "description"));
  t.requester = errors.take(optional_string(*body, "requester"));
  t.priority = errors.take(priority_field(*body));
  auto status = errors.take(optional_string(*body, "status"));
  t.queue = errors.take(optional_string(*body, "queue"));
  t.device_id = errors.take(optional_string(*body, "device_id"));
  t.comment = errors.take(comment_field(*body));
  if (errors.first) return tl::unexpected(*errors.first);
  if (status) {
    t.status = parse_status(*status);
    if (!t.status) {
      return fail(ErrorCode::kInvalid, "`status` must be new, open, pending, resolved or closed");
    }
  }
  const auto now = std::chrono::system_clock::now();
  ExternalTicketSync sync(services.store, services.tickets);
  auto outcome = sync.upsert(t, request.user->name, now);
  if (!outcome) return tl::unexpected(outcome.error());
  if (outcome->created) {
    // A new ticket under an external helpdesk's id: the link is what later deliveries and
    // status changes key on. Recorded after the ticket's own transaction (the sync spans
    // several); a failed append is logged and counted by the audit log.
    auto e = request_audit_event(request, "ticket.external_linked",
                                 "ticket:" + std::to_string(outcome->ticket.id));
    e.details["system"] = t.system;
    e.details["external_id"] = t.id;
    e.details["via"] = "integration";
    (void)services.audit.record(e);
  }
  auto res = json_response(outcome->created ? http::status::created : http::status::ok,
                           {{"created", outcome->created},
                            {"changed", outcome->changed},
                            {"device_linked", outcome->device_linked},
                            {"comment_added", outcome->comment_added},
                            {"ticket", ticket_summary_json(outcome->ticket, now)}});
  res.set(http::field::location, "/api/v1/tickets/" + std::to_string(outcome->ticket.id));
  return res;
}

}  // namespace triage::collector
