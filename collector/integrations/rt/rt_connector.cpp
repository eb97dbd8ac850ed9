#include "collector/integrations/rt/rt_connector.hpp"

#include "collector/integrations/event_types.hpp"
#include "collector/integrations/rt/rt_comment.hpp"
#include "shared/util/log_levels.hpp"
#include "shared/util/log_safe.hpp"

namespace triage::collector {

namespace {

DeliveryOutcome failed(std::string detail) {
  DeliveryOutcome o;
  o.result = DeliveryResult::kFailed;
  o.detail = std::move(detail);
  return o;
}

DeliveryOutcome retry(std::string detail) {
  DeliveryOutcome o;
  o.result = DeliveryResult::kRetry;
  o.detail = std::move(detail);
  return o;
}

DeliveryOutcome delivered(std::string detail = "") {
  DeliveryOutcome o;
  o.result = DeliveryResult::kDelivered;
  o.detail = std::move(detail);
  return o;
}

std::string setting(const IntegrationTarget& target, const char* key, const char* fallback) {
  auto it = target.settings.find(key);
  return it != target.settings.end() && it->is_string() ? it->get<std::string>()
                                                        : std::string(fallback);
}

}  // namespace

Result<RtClient> rt_client_for(const IntegrationTarget& target, const CredentialCipher* cipher,
                               transport::SslContextPtr tls, const RtSettings& settings) {
  auto secret = reveal_secret(target.secret, target.id, target.url, cipher);
  if (!secret) return fail("credentials", secret.error());
  auto credentials = parse_rt_credentials(*secret);
  if (!credentials) return fail("credentials", credentials.error());
  return RtClient::create(target.url, std::move(*credentials), std::move(tls), settings);
}

DeliveryOutcome rt_outcome(const RtFailure& failure) {
  DeliveryOutcome o;
  o.result = failure.retry ? DeliveryResult::kRetry : DeliveryResult::kFailed;
  o.http_status = failure.http_status;
  o.detail = failure.detail;
  return o;
}

DeliveryOutcome RtConnector::deliver(const IntegrationTarget& target, const OutboxMessage& message,
                                     TimePoint now) {
  auto event = nlohmann::json::parse(message.payload, nullptr, false);
  if (!event.is_object()) return failed("the stored event is not a JSON object");
  auto client = rt_client_for(target, cipher_.get(), tls_, settings_);
  // Bad or undecryptable credentials can be fixed by an admin: keep the message.
  if (!client) return retry(client.error().message);

  const auto ticket = event.value("ticket", nlohmann::json::object());
  const auto external = ticket.is_object() ? ticket.value("external", nlohmann::json::object())
                                           : nlohmann::json::object();
  std::string rt_id;
  if (external.is_object() &&
      external.value("system", "") == setting(target, "linked_system", "")) {
    rt_id = external.value("id", "");
  }
  if (message.event_type == kTicketCreated && rt_id.empty()) {
    return create_ticket(*client, target, message, now);
  }
  if (rt_id.empty()) return delivered("not sent: the ticket is not linked to an RT ticket");
  if (!valid_rt_ticket_id(rt_id)) return failed("the linked RT ticket id is not a number");

  // Diagnostics: the findings and the snapshot as stored with the ticket.
  std::optional<Enrichment> enrichment;
  std::optional<Attachment> snapshot;
  const auto data = event.value("data", nlohmann::json::object());
  if (data.is_object() && data.contains("enrichment_id")) {
    const auto enrichment_id = data.value("enrichment_id", std::int64_t{0});
    auto all = store_.read().tickets().ticket_enrichments(message.ticket_id);
    if (!all) return retry("reading the diagnostics: " + all.error().message);
    for (auto& e : *all) {
      if (e.id == enrichment_id) enrichment = std::move(e);
    }
    if (const auto attachment_id = data.value("attachment_id", std::int64_t{0}); attachment_id) {
      auto a = store_.read().tickets().find_attachment(attachment_id);
      if (!a) return retry("reading the snapshot: " + a.error().message);
      if (*a && (*a)->ticket_id == message.ticket_id) snapshot = std::move(**a);
    }
  }
  auto comment = render_rt_comment(event, message.delivery_id, enrichment ? &*enrichment : nullptr,
                                   snapshot ? &*snapshot : nullptr);
  if (!comment) return delivered("not sent: RT gets no " + message.event_type + " events");

  if (message.attempts > 1) {
    // An earlier attempt may have landed although its answer was lost.
    auto seen = client->has_subject(rt_id, comment->subject);
    if (!seen) return rt_outcome(seen.error());
    if (*seen) return delivered("already in RT ticket " + rt_id + " (an earlier attempt landed)");
  }
  auto posted = client->comment(rt_id, comment->subject, comment->text, comment->files);
  if (!posted) return rt_outcome(posted.error());
  return delivered();
}

DeliveryOutcome RtConnector::create_ticket(RtClient& client, const IntegrationTarget& target,
                                           const OutboxMessage& message, TimePoint now) {
  const std::string system = setting(target, "linked_system", "");
  const std::string queue = setting(target, "queue", "");
  if (system.empty() || queue.empty()) {
    return failed("the RT connector has no queue or system to create tickets in");
  }
  auto current = store_.read().tickets().find_ticket(message.ticket_id);
  if (!current) return retry("reading the ticket: " + current.error().message);
  if (!*current) return delivered("not sent: the ticket was deleted");
  if (!(*current)->external_id.empty() && (*current)->external_system != kEndpointOrigin) {
    return delivered("not sent: the ticket is linked already");
  }
  const Ticket& t = **current;
  const std::string marker = "[triage #" + std::to_string(t.id) + "]";

  std::string rt_id;
  if (message.attempts > 1) {
    auto found = client.find_tickets(marker);
    if (!found) return rt_outcome(found.error());
    if (!found->empty()) rt_id = found->front();
  }
  if (rt_id.empty()) {
    std::string body = t.description.empty() ? t.title : t.description;
    body += "\n\n(opened from a help request on an endpoint; triage ticket #" +
            std::to_string(t.id) + ")\n";
    // RT takes the requester as an email address; a bare name stays in the text.
    const bool email = t.requester.find('@') != std::string::npos;
    if (!email && !t.requester.empty()) body += "Requester: " + t.requester + "\n";
    auto created =
        client.create_ticket(queue, email ? t.requester : "", marker + " " + t.title, body);
    if (!created) return rt_outcome(created.error());
    rt_id = *created;
  }
  TicketEvent link;
  link.ticket_id = t.id;
  link.at = now;
  link.actor = "system";
  link.kind = "external_link";
  link.visibility = Visibility::kInternal;
  link.data = {{"system", system}, {"external_id", rt_id}, {"created_there", true}};
  auto linked = store_.write([&](WriteTx& tx) -> Result<Ticket> {
    auto after = tx.tickets().link_ticket_external(t.id, system, rt_id, link);
    if (!after) return after;
    if (auto r = plan_outbox(outbox_, tx, {link}); !r) return tl::unexpected(r.error());
    return after;
  });
  if (!linked) {
    // The RT ticket exists; the search by marker finds it on the next attempt.
    return retry("linking to RT ticket " + rt_id + ": " + linked.error().message);
  }
  logs::integrations().info("rt: ticket {} opened RT ticket {} in queue {}", t.id, log_safe(rt_id),
                            log_safe(queue));
  // Diagnostics attached before the link were not planned for RT: send them now. (Those
  // attached after the link go through the outbox as usual.)
  std::string note;
  if (auto enrichments = store_.read().tickets().ticket_enrichments(t.id); enrichments) {
    for (const auto& e : *enrichments) {
      std::optional<Attachment> snapshot;
      if (e.attachment_id) {
        if (auto a = store_.read().tickets().find_attachment(e.attachment_id); a && *a)
          snapshot = std::move(**a);
      }
      const nlohmann::json event = {
          {"type", e.purpose == "verification" ? kTicketVerification : kTicketDiagnostics},
          {"ticket", {{"id", t.id}}},
          {"data", {{"device_id", e.device_id}, {"source", e.source}, {"note", e.note}}}};
      auto comment = render_rt_comment(event, message.delivery_id + "-" + std::to_string(e.id), &e,
                                       snapshot ? &*snapshot : nullptr);
      if (!comment) continue;
      if (auto posted = client.comment(rt_id, comment->subject, comment->text, comment->files);
          !posted) {
        note = "; diagnostics " + std::to_string(e.id) + " not sent: " + posted.error().detail;
      }
    }
  }
  return delivered("opened RT ticket " + rt_id + note);
}

}  // namespace triage::collector
