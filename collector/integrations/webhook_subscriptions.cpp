#include "collector/integrations/webhook_subscriptions.hpp"

#include <algorithm>

#include "collector/integrations/event_types.hpp"
#include "collector/integrations/target_credentials.hpp"
#include "collector/integrations/ticket_event_planner.hpp"
#include "collector/integrations/webhook_connector.hpp"
#include "collector/integrations/webhook_signature.hpp"

namespace triage::collector {

namespace {

constexpr std::size_t kMaxNameBytes = 128;

Result<void> check_name(const std::string& name) {
  if (name.size() > kMaxNameBytes) {
    return fail(ErrorCode::kInvalid, "`name` must be at most 128 bytes");
  }
  return {};
}

}  // namespace

Result<void> check_webhook_events(const std::vector<std::string>& events, bool internal) {
  if (events.empty()) {
    return fail(ErrorCode::kInvalid, "`events` must list at least one event type");
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto type = find_event_type(events[i]);
    if (!type) {
      std::string known;
      for (const auto& t : event_types())
        known += (known.empty() ? "" : ", ") + std::string(t.name);
      return fail(ErrorCode::kInvalid, "`events`: unknown event type `" + events[i].substr(0, 64) +
                                           "` (known: " + known + ")");
    }
    if (type->internal_only && !internal) {
      return fail(ErrorCode::kInvalid, "`events`: " + events[i] +
                                           " carries internal details; only a subscription with "
                                           "`internal: true` may receive it");
    }
    if (std::find(events.begin(), events.begin() + static_cast<long>(i), events[i]) !=
        events.begin() + static_cast<long>(i)) {
      return fail(ErrorCode::kInvalid, "`events` lists " + events[i] + " twice");
    }
  }
  return {};
}

Result<IntegrationTarget> create_webhook(OutboxRepository& store, NewWebhook r,
                                         const std::string& actor, TimePoint now,
                                         const CredentialCipher* cipher) {
  for (auto check :
       {check_name(r.name), check_webhook_url(r.url), check_webhook_events(r.events, r.internal)}) {
    if (!check) return tl::unexpected(check.error());
  }
  auto existing = store.list_integration_targets(kWebhookConnector);
  if (!existing) return tl::unexpected(existing.error());
  if (existing->size() >= kMaxWebhooks) {
    return fail(ErrorCode::kConflict, "at most " + std::to_string(kMaxWebhooks) +
                                          " webhook subscriptions; delete unused ones first");
  }
  IntegrationTarget t;
  t.connector = std::string(kWebhookConnector);
  t.name = std::move(r.name);
  t.url = std::move(r.url);
  t.event_types = std::move(r.events);
  t.internal = r.internal;
  t.active = r.active;
  t.secret = generate_webhook_secret();
  t.created_by = actor;
  t.created_at = now;
  t.updated_at = now;
  auto id = insert_target_sealed(store, t, t.secret, cipher, now);
  if (!id) return tl::unexpected(id.error());
  t.id = *id;
  return t;
}

Result<std::optional<IntegrationTarget>> find_webhook(OutboxReader& store, std::int64_t id) {
  auto target = store.find_integration_target(id);
  if (!target) return target;
  if (*target && (*target)->connector != kWebhookConnector) {
    return std::optional<IntegrationTarget>();
  }
  return target;
}

Result<IntegrationTarget> update_webhook(OutboxRepository& store, std::int64_t id,
                                         const IntegrationTargetUpdate& update, TimePoint now,
                                         const CredentialCipher* cipher) {
  auto current = find_webhook(store, id);
  if (!current) return tl::unexpected(current.error());
  if (!*current) return fail(ErrorCode::kNotFound, "no webhook " + std::to_string(id));
  IntegrationTarget after = **current;
  if (update.name) after.name = *update.name;
  if (update.url) after.url = *update.url;
  if (update.event_types) after.event_types = *update.event_types;
  if (update.internal) after.internal = *update.internal;
  for (auto check : {check_name(after.name), check_webhook_url(after.url),
                     check_webhook_events(after.event_types, after.internal)}) {
    if (!check) return tl::unexpected(check.error());
  }
  if (after.url == (*current)->url || (*current)->secret.empty()) {
    return store.update_integration_target(id, update, now);
  }
  // The signing secret is the collector's own and stays; its seal is bound to the URL.
  auto secret = reveal_secret((*current)->secret, id, (*current)->url, cipher);
  if (!secret) return tl::unexpected(secret.error());
  IntegrationTargetUpdate resealed = update;
  resealed.secret = seal_for_target(cipher, id, after.url, *secret);
  return store.update_integration_target(id, resealed, now);
}

Result<OutboxMessage> ping_webhook(OutboxRepository& store, std::int64_t id, TimePoint now) {
  auto target = find_webhook(store, id);
  if (!target) return tl::unexpected(target.error());
  if (!*target) return fail(ErrorCode::kNotFound, "no webhook " + std::to_string(id));
  auto message = outbox_message_for(**target, std::string(kPing), 0, ping_body(id, now), now);
  if (auto r = store.enqueue_outbox({message}); !r) return tl::unexpected(r.error());
  auto stored = store.find_outbox_message(id, message.delivery_id);
  if (!stored) return tl::unexpected(stored.error());
  if (!*stored) return fail("the ping was not stored");
  return std::move(**stored);
}

}  // namespace triage::collector
