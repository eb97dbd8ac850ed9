#include "collector/integrations/event_types.hpp"

#include <array>

namespace triage::collector {

namespace {

constexpr std::array<EventTypeInfo, 8> kTypes = {{
    {kTicketCreated, false, "a ticket was opened"},
    {kTicketUpdated, false,
     "fields changed (public targets: title, description, requester, priority only)"},
    {kTicketStatusChanged, false, "status moved (open, pending, resolved, closed, reopened)"},
    {kTicketNoteAdded, false, "a note was added (public targets: public notes only)"},
    {kTicketEscalated, true, "escalated to a higher tier, with the reason"},
    {kTicketDiagnostics, true, "endpoint diagnostics and findings were attached"},
    {kTicketVerification, true, "verification diagnostics after resolve were attached"},
    {kTicketActionResult, true, "an action run on a linked device finished or was refused"},
}};

}  // namespace

std::span<const EventTypeInfo> event_types() { return kTypes; }

std::optional<EventTypeInfo> find_event_type(std::string_view name) {
  for (const auto& t : kTypes) {
    if (t.name == name) return t;
  }
  return std::nullopt;
}

}  // namespace triage::collector
