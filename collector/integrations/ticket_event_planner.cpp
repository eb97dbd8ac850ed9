#include "collector/integrations/ticket_event_planner.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "collector/integrations/event_types.hpp"
#include "collector/integrations/rt/rt_connector.hpp"
#include "collector/integrations/webhook_connector.hpp"
#include "collector/tickets/ticket_views.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/util/time_format.hpp"

namespace triage::collector {

namespace {

// Field changes a requester may see (the requester view shows these fields).
constexpr std::array<std::string_view, 4> kPublicFields = {"title", "description", "requester",
                                                           "priority"};

bool public_field(std::string_view field) {
  return std::find(kPublicFields.begin(), kPublicFields.end(), field) != kPublicFields.end();
}

nlohmann::json change_value(std::string_view field, const nlohmann::json& value) {
  if (field == "priority" && value.is_number_integer()) {
    return "P" + std::to_string(value.get<int>());
  }
  if (field == "tier" && value.is_number_integer()) return "L" + std::to_string(value.get<int>());
  return value;
}

nlohmann::json envelope(const std::string& id, std::string_view type, TimePoint at,
                        const nlohmann::json& actor, nlohmann::json ticket, nlohmann::json data) {
  return {{"id", id},
          {"type", type},
          {"occurred_at", format_rfc3339(at)},
          {"actor", actor},
          {"ticket", std::move(ticket)},
          {"data", std::move(data)}};
}

// Notes carry their timeline id to other systems, but repositories do not report the ids of
// the events they write: read them back. Inside the transaction that wrote them, the events
// of one write are the newest of their ticket, in order; left 0 if the kinds do not line up.
Result<void> fill_note_ids(WriteTx& tx, std::int64_t ticket_id, std::vector<TicketEvent>& own) {
  const bool needed = std::any_of(
      own.begin(), own.end(), [](const TicketEvent& e) { return e.kind == "note" && e.id == 0; });
  if (!needed) return {};
  auto stored = tx.tickets().ticket_events(ticket_id);
  if (!stored) return tl::unexpected(stored.error());
  if (stored->size() < own.size()) return {};
  const auto first = stored->size() - own.size();
  for (std::size_t i = 0; i < own.size(); ++i) {
    if ((*stored)[first + i].kind != own[i].kind) return {};
  }
  for (std::size_t i = 0; i < own.size(); ++i) {
    if (own[i].id == 0) own[i].id = (*stored)[first + i].id;
  }
  return {};
}

struct Views {
  nlohmann::json internal_ticket;
  nlohmann::json public_ticket;
};

}  // namespace

bool wants_ticket(const IntegrationTarget& target, const Ticket& ticket,
                  std::string_view event_type) {
  auto linked = target.settings.find("linked_system");
  if (linked == target.settings.end() || !linked->is_string()) return true;
  if (!ticket.external_id.empty() && ticket.external_system != kEndpointOrigin) {
    return ticket.external_system == linked->get<std::string>();
  }
  // Help requests from endpoints may open a ticket there, which links this one.
  return event_type == kTicketCreated && ticket.source == "endpoint" &&
         target.settings.value("create_tickets", false);
}

std::vector<PlannedEvent> plan_ticket_events(const Ticket& ticket,
                                             const std::vector<TicketEvent>& events) {
  std::vector<PlannedEvent> out;
  if (events.empty()) return out;
  const TimePoint at = events.back().at;
  Views views;
  views.internal_ticket = ticket_summary_json(ticket, at);
  views.internal_ticket["description"] = ticket.description;
  views.public_ticket = ticket_requester_json(ticket);

  auto add = [&](std::string_view type, const TicketEvent& e, nlohmann::json internal_data,
                 std::optional<nlohmann::json> public_data) {
    const std::string id = pki::random_uuid();
    PlannedEvent p;
    p.type = std::string(type);
    p.at = e.at;
    p.internal_body =
        envelope(id, type, e.at, e.actor, views.internal_ticket, std::move(internal_data));
    if (public_data) {
      // Staff names appear to requesters only on what the requester view shows them.
      const nlohmann::json actor =
          e.visibility == Visibility::kPublic ? nlohmann::json(e.actor) : nlohmann::json(nullptr);
      p.public_body = envelope(id, type, e.at, actor, views.public_ticket, std::move(*public_data));
    }
    out.push_back(std::move(p));
  };

  // Field changes of one write become one ticket.updated.
  nlohmann::json internal_changes = nlohmann::json::object();
  nlohmann::json public_changes = nlohmann::json::object();
  const TicketEvent* first_change = nullptr;
  std::string reason;

  for (const auto& e : events) {
    if (e.kind == "created") {
      add(kTicketCreated, e, e.data, nlohmann::json::object());
    } else if (e.kind == "status_change") {
      nlohmann::json data = {{"from", e.data.value("from", "")}, {"to", e.data.value("to", "")}};
      nlohmann::json internal = data;
      if (e.data.contains("reason")) internal["reason"] = e.data["reason"];
      add(kTicketStatusChanged, e, std::move(internal), std::move(data));
    } else if (e.kind == "note") {
      nlohmann::json note = {{"event_id", e.id},
                             {"text", e.data.value("text", "")},
                             {"visibility", visibility_name(e.visibility)},
                             {"at", format_rfc3339(e.at)}};
      for (const char* key : {"external_system", "external_comment_id"}) {
        if (e.data.contains(key)) note[key] = e.data[key];
      }
      std::optional<nlohmann::json> public_data;
      if (e.visibility == Visibility::kPublic) public_data = nlohmann::json{{"note", note}};
      add(kTicketNoteAdded, e, {{"note", note}}, std::move(public_data));
    } else if (e.kind == "escalation") {
      nlohmann::json data = e.data;
      for (const char* key : {"from", "to"}) {
        if (data.contains(key)) data[key] = change_value("tier", data[key]);
      }
      add(kTicketEscalated, e, std::move(data), std::nullopt);
    } else if (e.kind == "diagnostics") {
      add(kTicketDiagnostics, e, e.data, std::nullopt);
    } else if (e.kind == "verification") {
      add(kTicketVerification, e, e.data, std::nullopt);
    } else if (e.kind == "action_run" || e.kind == "action_refused") {
      nlohmann::json data = e.data;
      data["kind"] = e.kind;
      add(kTicketActionResult, e, std::move(data), std::nullopt);
    } else if (e.kind == "device_linked") {
      if (!first_change) first_change = &e;
      internal_changes["devices"] = {{"linked", e.data.value("device_id", "")}};
    } else if (e.kind.size() > 7 && e.kind.ends_with("_change")) {
      const std::string field = e.kind.substr(0, e.kind.size() - 7);
      if (!first_change) first_change = &e;
      nlohmann::json change = {
          {"from", change_value(field, e.data.value("from", nlohmann::json()))},
          {"to", change_value(field, e.data.value("to", nlohmann::json()))}};
      if (public_field(field)) public_changes[field] = change;
      internal_changes[field] = std::move(change);
      if (e.data.contains("reason")) reason = e.data.value("reason", "");
    }
  }
  if (first_change) {
    nlohmann::json internal = {{"changes", internal_changes}};
    if (!reason.empty()) internal["reason"] = reason;
    std::optional<nlohmann::json> public_data;
    if (!public_changes.empty()) public_data = nlohmann::json{{"changes", public_changes}};
    TicketEvent last = *first_change;
    last.at = at;
    add(kTicketUpdated, last, std::move(internal), std::move(public_data));
  }
  return out;
}

nlohmann::json ping_body(std::int64_t target_id, TimePoint at) {
  return envelope(pki::random_uuid(), kPing, at, nullptr, nullptr,
                  {{"webhook_id", target_id}, {"message", "ping from triage-collector"}});
}

OutboxMessage outbox_message_for(const IntegrationTarget& target, const std::string& type,
                                 std::int64_t ticket_id, const nlohmann::json& body, TimePoint at) {
  OutboxMessage m;
  m.delivery_id = pki::random_uuid();
  m.event_id = body.value("id", "");
  m.target_id = target.id;
  m.event_type = type;
  m.ticket_id = ticket_id;
  // Ticket text may carry invalid UTF-8 from an endpoint; never let it throw here.
  m.payload = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  m.created_at = at;
  m.queued_at = at;
  m.next_attempt_at = at;
  return m;
}

Result<void> TicketEventPlanner::enqueue_planned(WriteTx& tx,
                                                 const std::vector<TicketEvent>& events) {
  std::vector<IntegrationTarget> active;
  for (auto connector : {kWebhookConnector, kRtConnector}) {
    auto targets = tx.outbox().list_integration_targets(connector);
    if (!targets) return tl::unexpected(targets.error());
    for (auto& t : *targets) {
      if (t.active) active.push_back(std::move(t));
    }
  }
  if (active.empty()) return {};  // the common case: nothing subscribed, nothing to plan
  std::sort(active.begin(), active.end(),
            [](const IntegrationTarget& a, const IntegrationTarget& b) { return a.id < b.id; });
  // Events of one write usually concern one ticket; plan per ticket, in event order.
  std::vector<std::int64_t> tickets;
  for (const auto& e : events) {
    if (std::find(tickets.begin(), tickets.end(), e.ticket_id) == tickets.end()) {
      tickets.push_back(e.ticket_id);
    }
  }
  for (auto ticket_id : tickets) {
    auto ticket = tx.tickets().find_ticket(ticket_id);
    if (!ticket) return tl::unexpected(ticket.error());
    if (!*ticket) continue;
    std::vector<TicketEvent> own;
    for (const auto& e : events) {
      if (e.ticket_id == ticket_id) own.push_back(e);
    }
    if (auto r = fill_note_ids(tx, ticket_id, own); !r) return r;
    std::vector<OutboxMessage> messages;
    try {
      messages = plan(**ticket, own, active);
    } catch (const std::exception& ex) {
      return fail("planning outbox messages for ticket " + std::to_string(ticket_id) + ": " +
                  ex.what());
    }
    if (messages.empty()) continue;
    if (auto r = tx.outbox().enqueue_outbox(messages); !r) return r;
  }
  return {};
}

std::vector<OutboxMessage> TicketEventPlanner::plan(const Ticket& ticket,
                                                    const std::vector<TicketEvent>& events,
                                                    const std::vector<IntegrationTarget>& targets) {
  std::vector<OutboxMessage> out;
  for (const auto& event : plan_ticket_events(ticket, events)) {
    for (const auto& target : targets) {
      if (!target.active) continue;
      if (!wants_ticket(target, ticket, event.type)) continue;
      if (std::find(target.event_types.begin(), target.event_types.end(), event.type) ==
          target.event_types.end()) {
        continue;
      }
      if (target.internal) {
        out.push_back(
            outbox_message_for(target, event.type, ticket.id, event.internal_body, event.at));
      } else if (event.public_body) {
        auto type = find_event_type(event.type);
        if (type && type->internal_only) continue;  // never, even if stored by mistake
        out.push_back(
            outbox_message_for(target, event.type, ticket.id, *event.public_body, event.at));
      }
    }
  }
  if (!out.empty() && on_planned_) on_planned_();
  return out;
}

}  // namespace triage::collector
