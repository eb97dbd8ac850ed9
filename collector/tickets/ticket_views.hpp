#pragma once
// JSON views of tickets. The staff view carries everything; the requester view carries only
// what is public (never internal notes, diagnostics or findings: internal system details).

#include <vector>

#include <nlohmann/json.hpp>

#include "collector/storage/ticket_records.hpp"

namespace triage::collector {

enum class TicketView { kStaff, kRequester };

/// The ticket fields a requester may see (no timeline): also what webhooks that are not
/// internal receive.
nlohmann::json ticket_requester_json(const Ticket& ticket);

/// For lists: fields and SLA state, no timeline.
nlohmann::json ticket_summary_json(const Ticket& ticket, TimePoint now);

nlohmann::json ticket_detail_json(const Ticket& ticket, const std::vector<TicketEvent>& events,
                                  const std::vector<Attachment>& attachments,
                                  const std::vector<Enrichment>& enrichments, TicketView view,
                                  TimePoint now);

nlohmann::json event_json(const TicketEvent& event);
nlohmann::json attachment_json(const Attachment& attachment);
nlohmann::json enrichment_json(const Enrichment& enrichment);

}  // namespace triage::collector
