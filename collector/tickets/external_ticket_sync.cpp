#include "collector/tickets/external_ticket_sync.hpp"

#include <algorithm>
#include <cctype>

namespace triage::collector {

namespace {

constexpr std::size_t kMaxSystemBytes = 64;

Result<void> check_keys(const ExternalTicket& r) {
  if (r.system.empty() || r.system.size() > kMaxSystemBytes ||
      !std::all_of(r.system.begin(), r.system.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '_' || c == '-';
      })) {
    return fail(ErrorCode::kInvalid,
                "`external_system` must be 1-64 characters of letters, digits, '.', '_' or '-'");
  }
  if (r.id.empty() || r.id.size() > kMaxNameBytes) {
    return fail(ErrorCode::kInvalid, "`external_id` must be 1-128 bytes");
  }
  if (r.comment) {
    if (r.comment->id.empty() || r.comment->id.size() > kMaxNameBytes) {
      return fail(ErrorCode::kInvalid, "`comment.id` must be 1-128 bytes");
    }
  }
  return {};
}

}  // namespace

Result<ExternalSyncOutcome> ExternalTicketSync::upsert(const ExternalTicket& request,
                                                       const std::string& actor, TimePoint now) {
  if (auto r = check_keys(request); !r) return tl::unexpected(r.error());
  auto existing = store_.read().tickets().find_ticket_by_external(request.system, request.id);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing) return update_existing(**existing, request, actor, now);

  if (!request.title) {
    return fail(ErrorCode::kInvalid, "`title` is required for a ticket not seen before");
  }
  NewTicket t;
  t.title = *request.title;
  t.description = request.description.value_or("");
  t.requester = request.requester.value_or("");
  t.priority = request.priority.value_or(3);
  t.queue = request.queue.value_or("default");
  if (request.device_id) t.device_ids.push_back(*request.device_id);
  t.source = "integration";
  t.external_system = request.system;
  t.external_id = request.id;
  auto created = tickets_.create(std::move(t), actor, now);
  if (!created && created.error().code == ErrorCode::kConflict) {
    // The same ticket arrived twice at once; the other delivery created it.
    auto raced = store_.read().tickets().find_ticket_by_external(request.system, request.id);
    if (!raced) return tl::unexpected(raced.error());
    if (*raced) return update_existing(**raced, request, actor, now);
  }
  if (!created) return tl::unexpected(created.error());

  ExternalSyncOutcome outcome;
  outcome.created = true;
  outcome.device_linked = request.device_id.has_value();
  // A status other than new is applied as a change, so the timeline shows it.
  if (request.status && *request.status != TicketStatus::kNew) {
    ExternalTicket status_only;
    status_only.system = request.system;
    status_only.id = request.id;
    status_only.status = request.status;
    auto moved = update_existing(*created, status_only, actor, now);
    if (!moved) return tl::unexpected(moved.error());
  }
  if (request.comment) {
    auto added = add_comment_once(created->id, *request.comment, request, actor, now);
    if (!added) return tl::unexpected(added.error());
    outcome.comment_added = *added;
  }
  auto current = tickets_.get(created->id);
  if (!current) return tl::unexpected(current.error());
  outcome.ticket = std::move(*current);
  return outcome;
}

Result<ExternalSyncOutcome> ExternalTicketSync::update_existing(const Ticket& existing,
                                                                const ExternalTicket& request,
                                                                const std::string& actor,
                                                                TimePoint now) {
  ExternalSyncOutcome outcome;
  TicketChange change;
  change.reason = "from " + request.system + " " + request.id;
  auto differs = [&](const std::optional<std::string>& want, const std::string& have,
                     std::optional<std::string>& slot, const char* name) {
    if (want && *want != have) {
      slot = *want;
      outcome.changed.emplace_back(name);
    }
  };
  differs(request.title, existing.title, change.title, "title");
  differs(request.description, existing.description, change.description, "description");
  differs(request.requester, existing.requester, change.requester, "requester");
  differs(request.queue, existing.queue, change.queue, "queue");
  if (request.priority && *request.priority != existing.priority) {
    change.priority = request.priority;
    outcome.changed.emplace_back("priority");
  }
  std::optional<TicketStatus> final_status;
  if (request.status && *request.status != existing.status) {
    // Closing in the other system closes here too, by way of resolved (which also takes the
    // verification snapshot).
    if (*request.status == TicketStatus::kClosed &&
        !status_move_allowed(existing.status, TicketStatus::kClosed) &&
        status_move_allowed(existing.status, TicketStatus::kResolved)) {
      change.status = TicketStatus::kResolved;
      final_status = TicketStatus::kClosed;
    } else {
      change.status = request.status;
    }
    outcome.changed.emplace_back("status");
  }
  Ticket current = existing;
  if (!outcome.changed.empty()) {
    if (existing.status == TicketStatus::kClosed) {
      return fail(ErrorCode::kConflict, "ticket " + std::to_string(existing.id) +
                                            " is closed; it cannot be changed any more");
    }
    auto updated = tickets_.update(existing.id, change, actor, now);
    if (!updated) return tl::unexpected(updated.error());
    current = std::move(*updated);
    if (final_status) {
      TicketChange close;
      close.status = final_status;
      close.reason = change.reason;
      auto closed = tickets_.update(existing.id, close, actor, now);
      if (!closed) return tl::unexpected(closed.error());
      current = std::move(*closed);
    }
  }
  if (request.device_id) {
    auto linked = tickets_.link_device(existing.id, *request.device_id, actor, now);
    if (!linked) return tl::unexpected(linked.error());
    outcome.device_linked = *linked;
  }
  if (request.comment) {
    auto added = add_comment_once(existing.id, *request.comment, request, actor, now);
    if (!added) return tl::unexpected(added.error());
    outcome.comment_added = *added;
  }
  auto fresh = tickets_.get(existing.id);
  if (!fresh) return tl::unexpected(fresh.error());
  outcome.ticket = std::move(*fresh);
  return outcome;
}

Result<bool> ExternalTicketSync::add_comment_once(std::int64_t ticket_id,
                                                  const ExternalComment& comment,
                                                  const ExternalTicket& request,
                                                  const std::string& actor, TimePoint now) {
  auto events = store_.read().tickets().ticket_events(ticket_id);
  if (!events) return tl::unexpected(events.error());
  for (const auto& e : *events) {
    if (e.kind == "note" && e.data.value("external_system", "") == request.system &&
        e.data.value("external_comment_id", "") == comment.id) {
      return false;
    }
  }
  auto note =
      tickets_.add_note(ticket_id, comment.text, comment.visibility, actor, now,
                        {{"external_system", request.system}, {"external_comment_id", comment.id}});
  if (!note) return tl::unexpected(note.error());
  return true;
}

}  // namespace triage::collector
