#pragma once
// triagectl's ticket commands: the queue, one ticket with its findings and timeline, opening a
// ticket, notes, escalation, assignment, status and time spent.

#include <string>
#include <vector>

#include "collector/triagectl/ctl_actions.hpp"

namespace triage::ctl {

/// `tickets` filters; empty ones are left to the server's defaults.
struct TicketFilter {
  std::vector<std::string> status, priority;
  std::string assignee, device;
  int limit = 0;
};

/// `ticket create`.
struct NewTicket {
  std::string title, description, requester, priority, device;
};

/// GET /api/v1/tickets: the queue as the server sorts it.
Result<void> list_tickets(const ApiCall& api, const TicketFilter& filter, const Output& o);
/// GET /api/v1/tickets/{id}: fields, findings and timeline.
Result<void> show_ticket(const ApiCall& api, const std::string& id, const Output& o);
/// POST /api/v1/tickets.
Result<void> create_ticket(const ApiCall& api, const NewTicket& ticket, const Output& o);
/// POST /api/v1/tickets/{id}/notes, internal unless `public_note`.
Result<void> add_note(const ApiCall& api, const std::string& id, const std::string& text,
                      bool public_note, const Output& o);
/// POST /api/v1/tickets/{id}/escalate, to `to` ("" = the next tier).
Result<void> escalate_ticket(const ApiCall& api, const std::string& id, const std::string& reason,
                             const std::string& to, const Output& o);
/// PATCH the ticket's assignee.
Result<void> assign_ticket(const ApiCall& api, const std::string& id, const std::string& user,
                           const Output& o);
/// PATCH the ticket's status, with an optional reason for the timeline.
Result<void> set_ticket_status(const ApiCall& api, const std::string& id, const std::string& status,
                               const std::string& reason, const Output& o);
/// POST /api/v1/tickets/{id}/time: minutes spent, with an optional note.
Result<void> record_time(const ApiCall& api, const std::string& id, int minutes,
                         const std::string& note, const Output& o);

}  // namespace triage::ctl
