#include "collector/api/webhooks_api.hpp"

#include <charconv>

#include "collector/api/audit_api.hpp"
#include "collector/api/json_fields.hpp"
#include "collector/api/outbox_deliveries.hpp"
#include "collector/integrations/event_types.hpp"
#include "collector/integrations/target_credentials.hpp"
#include "collector/integrations/webhook_connector.hpp"
#include "collector/integrations/webhook_signature.hpp"
#include "collector/integrations/webhook_subscriptions.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/log_safe.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

TimePoint now() { return std::chrono::system_clock::now(); }

Result<std::int64_t> webhook_id(ApiRequest& request) {
  return numeric_path_param(request, "id", "webhook");
}

nlohmann::json webhook_json(const IntegrationTarget& t, const OutboxCounts& counts) {
  return {
      {"id", t.id},
      {"name", t.name},
      {"url", t.url},
      {"events", t.event_types},
      {"internal", t.internal},
      {"active", t.active},
      {"disabled_reason",
       t.disabled_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.disabled_reason)},
      {"created_at", format_rfc3339(t.created_at)},
      {"created_by", t.created_by},
      {"updated_at", format_rfc3339(t.updated_at)},
      {"deliveries",
       {{"pending", counts.pending}, {"delivered", counts.delivered}, {"failed", counts.failed}}}};
}

OutboxCounts counts_of(ApiServices& services, std::int64_t id) {
  auto counts = services.store.read().outbox().outbox_counts();
  if (!counts) return {};
  auto it = counts->find(id);
  return it == counts->end() ? OutboxCounts{} : it->second;
}

/// Scheme, host and port only: a webhook URL's path or query may embed a credential, and the
/// audit log keeps what it is given forever.
std::string url_origin(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  const auto host_end = url.find_first_of("/?#", scheme_end + 3);
  return url.substr(0, std::min(host_end, std::size_t{256}));
}

/// The audit event `type` of a webhook subscription as it is (after the change); never the
/// secret.
AuditEvent webhook_audit_event(const ApiRequest& request, std::string type,
                               const IntegrationTarget& t) {
  auto e = request_audit_event(request, std::move(type), "webhook:" + std::to_string(t.id));
  e.details = {{"name", t.name},
               {"url_origin", url_origin(t.url)},
               {"events", t.event_types},
               {"internal", t.internal},
               {"active", t.active}};
  return e;
}

void wake_outbox(ApiServices& services) {
  if (services.wake_outbox) services.wake_outbox();
}

/// The webhook named by the path, or the error response to send.
Result<IntegrationTarget> path_webhook(ApiServices& services, ApiRequest& request) {
  auto id = webhook_id(request);
  if (!id) return tl::unexpected(id.error());
  auto target = find_webhook(services.store.read().outbox(), *id);
  if (!target) return tl::unexpected(target.error());
  if (!*target) return fail(ErrorCode::kNotFound, "no webhook " + std::to_string(*id));
  return std::move(**target);
}

}  // namespace

ApiResult handle_webhook_event_types(ApiServices&, ApiRequest&) {
  auto list = nlohmann::json::array();
  for (const auto& t : event_types()) {
    list.push_back(
        {{"name", t.name}, {"internal_only", t.internal_only}, {"description", t.description}});
  }
  return json_response(http::status::ok, {{"event_types", list}});
}

ApiResult handle_list_webhooks(ApiServices& services, ApiRequest&) {
  auto targets = services.store.read().outbox().list_integration_targets(kWebhookConnector);
  if (!targets) return tl::unexpected(targets.error());
  auto counts = services.store.read().outbox().outbox_counts();
  if (!counts) return tl::unexpected(counts.error());
  auto list = nlohmann::json::array();
  for (const auto& t : *targets) {
    auto it = counts->find(t.id);
    list.push_back(webhook_json(t, it == counts->end() ? OutboxCounts{} : it->second));
  }
  return json_response(http::status::ok, {{"webhooks", list}});
}

ApiResult handle_create_webhook(ApiServices& services, ApiRequest& request) {
  auto body = parse_json_body(request.http, {"name", "url", "events", "internal", "active"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  NewWebhook w;
  w.url = errors.take(string_field(*body, "url", true)).value_or("");
  w.name = errors.take(optional_string(*body, "name")).value_or("");
  auto events = errors.take(optional_string_list(*body, "events", 32));
  w.internal = errors.take(bool_field(*body, "internal")).value_or(false);
  w.active = errors.take(bool_field(*body, "active")).value_or(true);
  if (errors.first) return tl::unexpected(*errors.first);
  if (events) w.events = std::move(*events);
  Result<IntegrationTarget> created = fail(ErrorCode::kFailed, "not created");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    created = create_webhook(tx.outbox(), w, request.user->name, now(), services.credentials.get());
    if (!created) return tl::unexpected(created.error());
    return webhook_audit_event(request, "webhook.created", *created);
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("webhook {} ({}) created by {}: {} events, {}", created->id,
                   log_url(created->url), request.user->name, created->event_types.size(),
                   created->internal ? "internal" : "public view");
  auto j = webhook_json(*created, {});
  j["secret"] = created->secret;  // the only time it is shown
  auto res = json_response(http::status::created, j);
  res.set(http::field::location, "/api/v1/webhooks/" + std::to_string(created->id));
  return res;
}

ApiResult handle_get_webhook(ApiServices& services, ApiRequest& request) {
  return path_webhook(services, request).transform([&](const IntegrationTarget& target) {
    return json_response(http::status::ok, webhook_json(target, counts_of(services, target.id)));
  });
}

ApiResult handle_update_webhook(ApiServices& services, ApiRequest& request) {
  auto id = webhook_id(request);
  if (!id) return tl::unexpected(id.error());
  auto body = parse_json_body(request.http, {"name", "url", "events", "internal", "active"});
  if (!body) return tl::unexpected(body.error());
  FieldErrors errors;
  IntegrationTargetUpdate update;
  update.name = errors.take(optional_string(*body, "name"));
  update.url = errors.take(optional_string(*body, "url"));
  update.event_types = errors.take(optional_string_list(*body, "events", 32));
  update.internal = errors.take(bool_field(*body, "internal"));
  update.active = errors.take(bool_field(*body, "active"));
  if (errors.first) return tl::unexpected(*errors.first);
  if (!update.name && !update.url && !update.event_types && !update.internal && !update.active) {
    return fail(ErrorCode::kInvalid,
                "nothing to change: give name, url, events, internal and/or active");
  }
  Result<IntegrationTarget> updated = fail(ErrorCode::kFailed, "not updated");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto before = find_webhook(tx.outbox(), *id);
    updated = update_webhook(tx.outbox(), *id, update, now(), services.credentials.get());
    if (!updated) return tl::unexpected(updated.error());
    auto e = webhook_audit_event(request, "webhook.updated", *updated);
    nlohmann::json changed = nlohmann::json::array();
    for (const auto& [field, given] :
         {std::pair{"name", update.name.has_value()}, std::pair{"url", update.url.has_value()},
          std::pair{"events", update.event_types.has_value()},
          std::pair{"internal", update.internal.has_value()},
          std::pair{"active", update.active.has_value()}}) {
      if (given) changed.push_back(field);
    }
    e.details["changed"] = std::move(changed);
    if (before && *before && update.url) e.details["old_url_origin"] = url_origin((*before)->url);
    return e;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("webhook {} updated by {} ({})", updated->id, request.user->name,
                   updated->active ? "active" : "inactive");
  if (updated->active) wake_outbox(services);
  return json_response(http::status::ok, webhook_json(*updated, counts_of(services, *id)));
}

ApiResult handle_delete_webhook(ApiServices& services, ApiRequest& request) {
  auto target = path_webhook(services, request);
  if (!target) return tl::unexpected(target.error());
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = tx.outbox().delete_integration_target(target->id); !r) {
      return tl::unexpected(r.error());
    }
    return webhook_audit_event(request, "webhook.deleted", *target);
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("webhook {} ({}) deleted by {}", target->id, log_url(target->url),
                   request.user->name);
  HttpResponse res{http::status::no_content, 11};
  res.prepare_payload();
  return res;
}

ApiResult handle_rotate_webhook_secret(ApiServices& services, ApiRequest& request) {
  auto target = path_webhook(services, request);
  if (!target) return tl::unexpected(target.error());
  IntegrationTargetUpdate update;
  const std::string secret = generate_webhook_secret();
  update.secret = seal_for_target(services.credentials.get(), target->id, target->url, secret);
  Result<IntegrationTarget> updated = fail(ErrorCode::kFailed, "not rotated");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    updated = tx.outbox().update_integration_target(target->id, update, now());
    if (!updated) return tl::unexpected(updated.error());
    return webhook_audit_event(request, "webhook.secret_rotated", *updated);
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("webhook {}: secret rotated by {}", target->id, request.user->name);
  auto j = webhook_json(*updated, counts_of(services, target->id));
  j["secret"] = secret;
  return json_response(http::status::ok, j);
}

ApiResult handle_ping_webhook(ApiServices& services, ApiRequest& request) {
  auto id = webhook_id(request);
  if (!id) return tl::unexpected(id.error());
  auto message =
      services.store.write([&](WriteTx& tx) { return ping_webhook(tx.outbox(), *id, now()); });
  if (!message) return tl::unexpected(message.error());
  wake_outbox(services);
  return json_response(http::status::accepted, delivery_json(*message));
}

ApiResult handle_list_webhook_deliveries(ApiServices& services, ApiRequest& request) {
  return path_webhook(services, request).and_then([&](const IntegrationTarget& target) {
    return delivery_log_response(services, request, target.id);
  });
}

ApiResult handle_get_webhook_delivery(ApiServices& services, ApiRequest& request) {
  auto target = path_webhook(services, request);
  if (!target) return tl::unexpected(target.error());
  auto message =
      services.store.read().outbox().find_outbox_message(target->id, request.path_params["did"]);
  if (!message) return tl::unexpected(message.error());
  if (!*message) return fail(ErrorCode::kNotFound, "no such delivery");
  auto j = delivery_json(**message);
  j["payload"] = nlohmann::json::parse((*message)->payload, nullptr, false);
  return json_response(http::status::ok, j);
}

ApiResult handle_redeliver_webhook(ApiServices& services, ApiRequest& request) {
  auto target = path_webhook(services, request);
  if (!target) return tl::unexpected(target.error());
  // A redelivery sends a stored event out again: audited with the change, like the rest of a
  // subscription's life.
  Result<OutboxMessage> message = fail("not queued");
  auto audited = services.audit.record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    message = tx.outbox().requeue_outbox_message(target->id, request.path_params["did"], now());
    if (!message) return tl::unexpected(message.error());
    auto e = webhook_audit_event(request, "webhook.redelivered", *target);
    e.details["delivery_id"] = message->delivery_id;
    e.details["event_id"] = message->event_id;
    e.details["event_type"] = message->event_type;
    return e;
  });
  if (!audited) return tl::unexpected(audited.error());
  logs::api().info("webhook {}: delivery {} queued again by {}", target->id, message->delivery_id,
                   request.user->name);
  wake_outbox(services);
  return json_response(http::status::accepted, delivery_json(*message));
}

}  // namespace triage::collector
