#include "collector/api/connectors_api.hpp"

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/api/outbox_deliveries.hpp"
#include "collector/integrations/rt/rt_client.hpp"
#include "collector/integrations/rt/rt_connector.hpp"
#include "collector/integrations/rt/rt_targets.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/log_safe.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

TimePoint now() { return std::chrono::system_clock::now(); }

Result<std::int64_t> path_id(ApiRequest& request, const char* what) {
  return numeric_path_param(request, "id", what);
}

OutboxCounts counts_of(ApiServices& services, std::int64_t id) {
  auto counts = services.store.read().outbox().outbox_counts();
  if (!counts) return {};
  auto it = counts->find(id);
  return it == counts->end() ? OutboxCounts{} : it->second;
}

nlohmann::json connector_json(const IntegrationTarget& t, const OutboxCounts& counts) {
  return {
      {"id", t.id},
      {"kind", t.connector},
      {"name", t.name},
      {"url", t.url},
      {"system", rt_system(t)},
      {"queue", t.settings.value("queue", "")},
      {"events", t.event_types},
      {"create_tickets", t.settings.value("create_tickets", false)},
      {"poll_status", t.settings.value("poll_status", false)},
      {"active", t.active},
      {"disabled_reason",
       t.disabled_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.disabled_reason)},
      {"has_credentials", !t.secret.empty()},
      {"credentials_encrypted", is_sealed(t.secret)},
      {"created_at", format_rfc3339(t.created_at)},
      {"created_by", t.created_by},
      {"updated_at", format_rfc3339(t.updated_at)},
      {"deliveries",
       {{"pending", counts.pending}, {"delivered", counts.delivered}, {"failed", counts.failed}}}};
}

/// The connector fields of a create or update body; kInvalid naming a bad field.
Result<RtConnectorFields> read_fields(const nlohmann::json& body) {
  if (auto r =
          reject_unknown_fields(body, {"kind", "name", "url", "queue", "system", "events",
                                       "create_tickets", "poll_status", "active", "credentials"});
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto kind = body.find("kind"); kind != body.end() && *kind != "rt") {
    return fail(ErrorCode::kInvalid,
                "`kind` must be \"rt\" (webhooks are configured under /api/v1/webhooks)");
  }
  FieldErrors errors;
  RtConnectorFields f;
  f.name = errors.take(optional_string(body, "name"));
  f.url = errors.take(optional_string(body, "url"));
  f.queue = errors.take(optional_string(body, "queue"));
  f.system = errors.take(optional_string(body, "system"));
  f.events = errors.take(optional_string_list(body, "events", 16));
  f.create_tickets = errors.take(bool_field(body, "create_tickets"));
  f.poll_status = errors.take(bool_field(body, "poll_status"));
  f.active = errors.take(bool_field(body, "active"));
  if (errors.first) return tl::unexpected(*errors.first);
  if (auto c = body.find("credentials"); c != body.end() && !c->is_null()) {
    if (!c->is_object()) {
      return fail(ErrorCode::kInvalid,
                  "`credentials` must be {\"token\": ...} or {\"username\": ..., \"password\": "
                  "...}");
    }
    if (auto r = reject_unknown_fields(*c, {"token", "username", "password"}); !r) {
      return fail(ErrorCode::kInvalid, "`credentials`: " + r.error().message);
    }
    f.credentials = c->dump();
  }
  return f;
}

Result<IntegrationTarget> path_connector(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request, "connector");
  if (!id) return tl::unexpected(id.error());
  auto target = find_rt_connector(services.store.read().outbox(), *id);
  if (!target) return tl::unexpected(target.error());
  if (!*target) return fail(ErrorCode::kNotFound, "no connector " + std::to_string(*id));
  return std::move(**target);
}

}  // namespace

ApiResult handle_list_connectors(ApiServices& services, ApiRequest&) {
  auto targets = services.store.read().outbox().list_integration_targets(kRtConnector);
  if (!targets) return tl::unexpected(targets.error());
  auto counts = services.store.read().outbox().outbox_counts();
  if (!counts) return tl::unexpected(counts.error());
  auto list = nlohmann::json::array();
  for (const auto& t : *targets) {
    auto it = counts->find(t.id);
    list.push_back(connector_json(t, it == counts->end() ? OutboxCounts{} : it->second));
  }
  return json_response(http::status::ok, {{"connectors", list}});
}

ApiResult handle_create_connector(ApiServices& services, ApiRequest& request) {
  auto fields = parse_json_body(request.http).and_then(read_fields);
  if (!fields) return tl::unexpected(fields.error());
  Result<IntegrationTarget> created = fail("not created");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    created = create_rt_connector(tx.outbox(), *fields, request.user->name, now(),
                                  services.credentials.get());
    if (!created) return tl::unexpected(created.error());
    auto event = request_audit_event(request, "connector.created",
                                     "connector:" + std::to_string(created->id));
    event.details = {{"kind", created->connector},
                     {"url", created->url},
                     {"system", rt_system(*created)},
                     {"events", created->event_types}};
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("connector {} ({} {}) created by {}", created->id, created->connector,
                   log_url(created->url), request.user->name);
  auto res = json_response(http::status::created, connector_json(*created, {}));
  res.set(http::field::location, "/api/v1/connectors/" + std::to_string(created->id));
  return res;
}

ApiResult handle_get_connector(ApiServices& services, ApiRequest& request) {
  return path_connector(services, request).transform([&](const IntegrationTarget& target) {
    return json_response(http::status::ok, connector_json(target, counts_of(services, target.id)));
  });
}

ApiResult handle_update_connector(ApiServices& services, ApiRequest& request) {
  auto id = path_id(request, "connector");
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http);
  if (!body) return tl::unexpected(body.error());
  auto fields = read_fields(*body);
  if (!fields) return tl::unexpected(fields.error());
  if (body->empty() || (body->size() == 1 && body->contains("kind"))) {
    return fail(ErrorCode::kInvalid, "nothing to change");
  }
  Result<IntegrationTarget> updated = fail("not updated");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    updated = update_rt_connector(tx.outbox(), *id, *fields, now(), services.credentials.get());
    if (!updated) return tl::unexpected(updated.error());
    auto event =
        request_audit_event(request, "connector.updated", "connector:" + std::to_string(*id));
    auto changed = nlohmann::json::array();
    for (const auto& [key, value] : body->items()) {
      if (key != "credentials" && key != "kind") changed.push_back(key);
    }
    event.details = {{"changed", changed},
                     {"credentials_changed", fields->credentials.has_value()}};
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("connector {} updated by {}{}", *id, request.user->name,
                   fields->credentials ? " (new credentials)" : "");
  if (updated->active && services.wake_outbox) services.wake_outbox();
  return json_response(http::status::ok, connector_json(*updated, counts_of(services, *id)));
}

ApiResult handle_delete_connector(ApiServices& services, ApiRequest& request) {
  auto target = path_connector(services, request);
  if (!target) return tl::unexpected(target.error());
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.outbox().delete_integration_target(target->id); !r) {
      return tl::unexpected(r.error());
    }
    auto event = request_audit_event(request, "connector.deleted",
                                     "connector:" + std::to_string(target->id));
    event.details = {{"kind", target->connector}, {"url", target->url}};
    return event;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("connector {} ({}) deleted by {}", target->id, log_url(target->url),
                   request.user->name);
  HttpResponse res{http::status::no_content, 11};
  res.prepare_payload();
  return res;
}

ApiResult handle_list_connector_deliveries(ApiServices& services, ApiRequest& request) {
  return path_connector(services, request).and_then([&](const IntegrationTarget& target) {
    return delivery_log_response(services, request, target.id);
  });
}

ApiResult handle_link_external_ticket(ApiServices& services, ApiRequest& request) {
  auto ticket_id = path_id(request, "ticket");
  if (!ticket_id) return tl::unexpected(ticket_id.error());
  auto body = parse_json_body(request.http, {"connector", "external_id"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  auto connector_id = errors.take(integer_field(*body, "connector", 1, INT64_MAX));
  auto external_id = errors.take(string_field(*body, "external_id", true));
  if (errors.first) return tl::unexpected(*errors.first);
  if (!connector_id) {
    return fail(ErrorCode::kInvalid, "`connector` is required");
  }
  auto target = find_rt_connector(services.store.read().outbox(), *connector_id);
  if (!target) return tl::unexpected(target.error());
  if (!*target) {
    return fail(ErrorCode::kInvalid, "`connector`: no connector " + std::to_string(*connector_id));
  }
  if (!valid_rt_ticket_id(*external_id)) {
    return fail(ErrorCode::kInvalid, "`external_id` must be an RT ticket number");
  }
  const std::string system = rt_system(**target);
  TicketEvent event;
  event.ticket_id = *ticket_id;
  event.at = now();
  event.actor = request.user->name;
  event.kind = "external_link";
  event.visibility = Visibility::kInternal;
  event.data = {{"system", system}, {"external_id", *external_id}, {"connector", *connector_id}};
  // The link decides where this ticket's diagnostics are sent: audited with the change.
  auto before = services.store.read().tickets().find_ticket(*ticket_id);
  if (!before) return tl::unexpected(before.error());
  Result<Ticket> linked = fail("not linked");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto current = tx.tickets().find_ticket(*ticket_id);
    if (!current) return tl::unexpected(current.error());
    linked = tx.tickets().link_ticket_external(*ticket_id, system, *external_id, event);
    if (!linked) return tl::unexpected(linked.error());
    const bool relinked = *current && (*current)->external_system == system &&
                          (*current)->external_id == *external_id;
    if (!relinked) {  // else the link was there already and no event was written
      if (auto r = plan_outbox(services.outbox_planner, tx, {event}); !r) {
        return tl::unexpected(r.error());
      }
    }
    auto e = request_audit_event(request, "ticket.external_linked",
                                 "ticket:" + std::to_string(*ticket_id));
    e.details = {{"system", system}, {"external_id", *external_id}, {"connector", *connector_id}};
    if (*before && !(*before)->external_id.empty()) {
      e.details["previous"] = {{"system", (*before)->external_system},
                               {"external_id", (*before)->external_id}};
    }
    return e;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("ticket {} linked to {} ticket {} by {}", *ticket_id, system,
                   log_safe(*external_id), request.user->name);
  return json_response(
      http::status::ok,
      {{"ticket_id", linked->id},
       {"external", {{"system", linked->external_system}, {"id", linked->external_id}}}});
}

}  // namespace triage::collector
