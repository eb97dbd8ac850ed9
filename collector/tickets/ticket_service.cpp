#include "collector/tickets/ticket_service.hpp"

#include <algorithm>
#include <cctype>

namespace triage::collector {

namespace {

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

Result<void> check_length(const std::string& value, const char* field, std::size_t max) {
  if (value.size() > max) {
    return fail(ErrorCode::kInvalid,
                std::string("`") + field + "` is longer than " + std::to_string(max) + " bytes");
  }
  return {};
}

Result<void> check_range(int value, const char* field, int min, int max) {
  if (value < min || value > max) {
    return fail(ErrorCode::kInvalid, std::string("`") + field + "` must be from " +
                                         std::to_string(min) + " to " + std::to_string(max));
  }
  return {};
}

TicketEvent event(std::int64_t ticket_id, TimePoint at, const std::string& actor, std::string kind,
                  Visibility visibility, nlohmann::json data) {
  TicketEvent e;
  e.ticket_id = ticket_id;
  e.at = at;
  e.actor = actor;
  e.kind = std::move(kind);
  e.visibility = visibility;
  e.data = std::move(data);
  return e;
}

}  // namespace

bool status_move_allowed(TicketStatus from, TicketStatus to) {
  using S = TicketStatus;
  if (from == to) return false;
  switch (from) {
    case S::kNew:
      return to == S::kOpen || to == S::kPending || to == S::kResolved;
    case S::kOpen:
      return to == S::kPending || to == S::kResolved;
    case S::kPending:
      return to == S::kOpen || to == S::kResolved;
    case S::kResolved:
      // Reopen when the verification or the requester says it is not fixed; else close.
      return to == S::kOpen || to == S::kClosed;
    case S::kClosed:
      return false;
  }
  return false;
}

Result<Ticket> TicketService::get(std::int64_t id) {
  auto ticket = store_.read().tickets().find_ticket(id);
  if (!ticket) return tl::unexpected(ticket.error());
  if (!*ticket) return fail(ErrorCode::kNotFound, "no ticket " + std::to_string(id));
  return std::move(**ticket);
}

Result<Ticket> TicketService::create(NewTicket r, const std::string& actor, TimePoint now) {
  if (blank(r.title)) return fail(ErrorCode::kInvalid, "`title` must not be empty");
  for (auto check :
       {check_length(r.title, "title", kMaxTitleBytes),
        check_length(r.description, "description", kMaxTextBytes),
        check_length(r.requester, "requester", kMaxNameBytes),
        check_length(r.queue, "queue", kMaxNameBytes),
        check_length(r.assignee, "assignee", kMaxNameBytes),
        check_length(r.external_system, "external_system", kMaxNameBytes),
        check_length(r.external_id, "external_id", kMaxNameBytes),
        check_range(r.priority, "priority", 1, 4), check_range(r.tier, "tier", 1, 3)}) {
    if (!check) return tl::unexpected(check.error());
  }
  if (r.queue.empty()) r.queue = "default";
  if (r.device_ids.size() > 50) return fail(ErrorCode::kInvalid, "at most 50 devices per ticket");
  std::sort(r.device_ids.begin(), r.device_ids.end());
  r.device_ids.erase(std::unique(r.device_ids.begin(), r.device_ids.end()), r.device_ids.end());
  for (const auto& id : r.device_ids) {
    auto device = store_.read().devices().find_device(id);
    if (!device) return tl::unexpected(device.error());
    if (!*device) return fail(ErrorCode::kInvalid, "unknown device `" + id.substr(0, 64) + "`");
  }
  if (!r.assignee.empty()) {
    auto user = store_.read().auth().find_user_by_name(r.assignee);
    if (!user) return tl::unexpected(user.error());
    if (!*user || (*user)->disabled) {
      return fail(ErrorCode::kInvalid, "`assignee` is not an active user");
    }
  }
  Ticket t;
  t.title = std::move(r.title);
  t.description = std::move(r.description);
  t.requester = std::move(r.requester);
  t.priority = r.priority;
  t.tier = r.tier;
  t.queue = std::move(r.queue);
  t.assignee = std::move(r.assignee);
  t.source = std::move(r.source);
  t.external_system = std::move(r.external_system);
  t.external_id = std::move(r.external_id);
  t.created_by = actor;
  t.created_at = now;
  t.updated_at = now;
  t.status = t.assignee.empty() ? TicketStatus::kNew : TicketStatus::kOpen;
  t.device_ids = std::move(r.device_ids);
  sla_.apply(t);
  nlohmann::json data = {{"source", t.source},
                         {"priority", t.priority},
                         {"tier", t.tier},
                         {"queue", t.queue},
                         {"devices", t.device_ids}};
  if (!t.external_system.empty()) {
    data["external_system"] = t.external_system;
    data["external_id"] = t.external_id;
  }
  std::vector<TicketEvent> events{event(0, now, actor, "created", Visibility::kPublic, data)};
  if (auto stored = store_.write([&](WriteTx& tx) -> Result<void> {
        if (auto w = tx.tickets().create_ticket(t, events); !w) return w;
        auto written = events;
        for (auto& e : written) e.ticket_id = t.id;
        return plan_outbox(outbox_, tx, written);
      });
      !stored) {
    return tl::unexpected(stored.error());
  }
  if (enrichment_ && r.enrich) {
    for (const auto& device : t.device_ids) enrichment_->enrich(t.id, device, "creation");
  }
  return t;
}

Result<Ticket> TicketService::update(std::int64_t id, const TicketChange& change,
                                     const std::string& actor, TimePoint now) {
  auto current = get(id);
  if (!current) return current;
  if (current->status == TicketStatus::kClosed) {
    return fail(ErrorCode::kConflict, "ticket " + std::to_string(id) + " is closed");
  }
  Ticket t = *current;
  std::vector<TicketEvent> events;
  auto changed = [&](const char* kind, const nlohmann::json& from, const nlohmann::json& to) {
    nlohmann::json data = {{"from", from}, {"to", to}};
    if (!change.reason.empty()) data["reason"] = change.reason;
    events.push_back(event(id, now, actor, kind, Visibility::kInternal, std::move(data)));
  };
  if (auto r = check_length(change.reason, "reason", kMaxTextBytes); !r) {
    return tl::unexpected(r.error());
  }
  if (change.title && *change.title != t.title) {
    if (blank(*change.title)) return fail(ErrorCode::kInvalid, "`title` must not be empty");
    if (auto r = check_length(*change.title, "title", kMaxTitleBytes); !r) {
      return tl::unexpected(r.error());
    }
    changed("title_change", t.title, *change.title);
    t.title = *change.title;
  }
  if (change.description && *change.description != t.description) {
    if (auto r = check_length(*change.description, "description", kMaxTextBytes); !r) {
      return tl::unexpected(r.error());
    }
    changed("description_change", nullptr, nullptr);
    t.description = *change.description;
  }
  if (change.requester && *change.requester != t.requester) {
    if (auto r = check_length(*change.requester, "requester", kMaxNameBytes); !r) {
      return tl::unexpected(r.error());
    }
    changed("requester_change", t.requester, *change.requester);
    t.requester = *change.requester;
  }
  if (change.priority && *change.priority != t.priority) {
    if (auto r = check_range(*change.priority, "priority", 1, 4); !r) {
      return tl::unexpected(r.error());
    }
    changed("priority_change", t.priority, *change.priority);
    t.priority = *change.priority;
    sla_.apply(t);
  }
  if (change.tier && *change.tier != t.tier) {
    if (auto r = check_range(*change.tier, "tier", 1, 3); !r) return tl::unexpected(r.error());
    changed("tier_change", t.tier, *change.tier);
    t.tier = *change.tier;
  }
  if (change.queue && *change.queue != t.queue) {
    if (change.queue->empty()) return fail(ErrorCode::kInvalid, "`queue` must not be empty");
    if (auto r = check_length(*change.queue, "queue", kMaxNameBytes); !r) {
      return tl::unexpected(r.error());
    }
    changed("queue_change", t.queue, *change.queue);
    t.queue = *change.queue;
  }
  if (change.assignee && *change.assignee != t.assignee) {
    if (!change.assignee->empty()) {
      auto user = store_.read().auth().find_user_by_name(*change.assignee);
      if (!user) return tl::unexpected(user.error());
      if (!*user || (*user)->disabled) {
        return fail(ErrorCode::kInvalid, "`assignee` is not an active user");
      }
    }
    changed("assignee_change", t.assignee, *change.assignee);
    t.assignee = *change.assignee;
    if (t.status == TicketStatus::kNew && !t.assignee.empty()) {
      changed("status_change", status_name(t.status), status_name(TicketStatus::kOpen));
      t.status = TicketStatus::kOpen;
    }
  }
  bool resolving = false;
  if (change.status && *change.status != t.status) {
    if (!status_move_allowed(t.status, *change.status)) {
      return fail(ErrorCode::kConflict, std::string("a ticket cannot move from ") +
                                            status_name(t.status) + " to " +
                                            status_name(*change.status));
    }
    changed("status_change", status_name(t.status), status_name(*change.status));
    if (*change.status == TicketStatus::kResolved) {
      t.resolved_at = now;
      resolving = true;
    } else if (*change.status == TicketStatus::kClosed) {
      t.closed_at = now;
    } else if (t.status == TicketStatus::kResolved) {
      t.resolved_at.reset();  // reopened
    }
    t.status = *change.status;
  }
  if (events.empty()) return t;
  t.updated_at = now;
  if (auto r = store_.write([&](WriteTx& tx) -> Result<void> {
        if (auto w = tx.tickets().update_ticket(t, current->version, events); !w) return w;
        return plan_outbox(outbox_, tx, events);
      });
      !r) {
    return tl::unexpected(r.error());
  }
  if (resolving && enrichment_) {
    // Confirm the fix: fresh diagnostics, compared with those taken at creation.
    for (const auto& device : t.device_ids) enrichment_->enrich(t.id, device, "verification");
  }
  return t;
}

Result<TicketEvent> TicketService::add_note(std::int64_t id, const std::string& text,
                                            Visibility visibility, const std::string& actor,
                                            TimePoint now, const nlohmann::json& extra) {
  if (blank(text)) return fail(ErrorCode::kInvalid, "`text` must not be empty");
  if (auto r = check_length(text, "text", kMaxTextBytes); !r) return tl::unexpected(r.error());
  auto t = get(id);
  if (!t) return tl::unexpected(t.error());
  if (t->status == TicketStatus::kClosed) {
    return fail(ErrorCode::kConflict, "ticket " + std::to_string(id) + " is closed");
  }
  nlohmann::json data = {{"text", text}};
  if (extra.is_object()) {
    for (const auto& [key, value] : extra.items()) data.emplace(key, value);
  }
  auto note = event(id, now, actor, "note", visibility, std::move(data));
  if (visibility == Visibility::kPublic && !t->first_response_at && actor != t->requester) {
    Ticket updated = *t;
    updated.first_response_at = now;
    updated.updated_at = now;
    if (auto r = store_.write([&](WriteTx& tx) -> Result<void> {
          if (auto w = tx.tickets().update_ticket(updated, t->version, {note}); !w) return w;
          return plan_outbox(outbox_, tx, {note});
        });
        !r) {
      return tl::unexpected(r.error());
    }
    return note;
  }
  if (auto r = append_events({note}); !r) return tl::unexpected(r.error());
  return note;
}

Result<TicketEvent> TicketService::add_time(std::int64_t id, int minutes, const std::string& note,
                                            const std::string& actor, TimePoint now) {
  if (auto r = check_range(minutes, "minutes", 1, 24 * 60); !r) return tl::unexpected(r.error());
  if (auto r = check_length(note, "note", kMaxTextBytes); !r) return tl::unexpected(r.error());
  auto t = get(id);
  if (!t) return tl::unexpected(t.error());
  if (t->status == TicketStatus::kClosed) {
    return fail(ErrorCode::kConflict, "ticket " + std::to_string(id) + " is closed");
  }
  nlohmann::json data = {{"minutes", minutes}};
  if (!note.empty()) data["note"] = note;
  auto entry = event(id, now, actor, "time_entry", Visibility::kInternal, std::move(data));
  if (auto r = append_events({entry}); !r) return tl::unexpected(r.error());
  return entry;
}

Result<Ticket> TicketService::escalate(std::int64_t id, std::optional<int> to_tier,
                                       const std::string& reason, const std::string& actor,
                                       TimePoint now) {
  if (blank(reason)) return fail(ErrorCode::kInvalid, "an escalation needs a `reason`");
  if (auto r = check_length(reason, "reason", kMaxTextBytes); !r) return tl::unexpected(r.error());
  auto current = get(id);
  if (!current) return current;
  if (current->status == TicketStatus::kClosed || current->status == TicketStatus::kResolved) {
    return fail(ErrorCode::kConflict, std::string("a ") + status_name(current->status) +
                                          " ticket cannot be escalated; reopen it first");
  }
  const int target = to_tier.value_or(current->tier + 1);
  if (target <= current->tier || target > 3) {
    return fail(ErrorCode::kConflict, "ticket " + std::to_string(id) + " is at L" +
                                          std::to_string(current->tier) +
                                          "; it can only be escalated to a higher tier (max L3)");
  }
  Ticket t = *current;
  t.tier = target;
  nlohmann::json data = {{"from", current->tier}, {"to", target}, {"reason", reason}};
  if (!t.assignee.empty()) data["unassigned"] = t.assignee;
  t.assignee.clear();  // the next tier's queue picks it up
  if (t.status == TicketStatus::kPending) t.status = TicketStatus::kOpen;
  t.updated_at = now;
  auto e = event(id, now, actor, "escalation", Visibility::kInternal, std::move(data));
  if (auto r = store_.write([&](WriteTx& tx) -> Result<void> {
        if (auto w = tx.tickets().update_ticket(t, current->version, {e}); !w) return w;
        return plan_outbox(outbox_, tx, {e});
      });
      !r) {
    return tl::unexpected(r.error());
  }
  return t;
}

Result<bool> TicketService::link_device(std::int64_t id, const std::string& device_id,
                                        const std::string& actor, TimePoint now) {
  auto t = get(id);
  if (!t) return tl::unexpected(t.error());
  if (t->status == TicketStatus::kClosed) {
    return fail(ErrorCode::kConflict, "ticket " + std::to_string(id) + " is closed");
  }
  auto device = store_.read().devices().find_device(device_id);
  if (!device) return tl::unexpected(device.error());
  if (!*device)
    return fail(ErrorCode::kInvalid, "unknown device `" + device_id.substr(0, 64) + "`");
  const auto linked_event = event(id, now, actor, "device_linked", Visibility::kInternal,
                                  {{"device_id", device_id}, {"hostname", (*device)->hostname}});
  auto linked = store_.write([&](WriteTx& tx) -> Result<bool> {
    auto w = tx.tickets().link_ticket_device(id, device_id, linked_event);
    if (!w || !*w) return w;  // linked already: no event written
    if (auto r = plan_outbox(outbox_, tx, {linked_event}); !r) return tl::unexpected(r.error());
    return true;
  });
  if (!linked) return linked;
  if (*linked && enrichment_) enrichment_->enrich(id, device_id, "link");
  return *linked;
}

Result<void> TicketService::record_event(TicketEvent e) { return append_events({e}); }

Result<void> TicketService::append_events(const std::vector<TicketEvent>& events) {
  return store_.write([&](WriteTx& tx) -> Result<void> {
    if (auto r = tx.tickets().append_ticket_events(events); !r) return r;
    return plan_outbox(outbox_, tx, events);
  });
}

}  // namespace triage::collector
