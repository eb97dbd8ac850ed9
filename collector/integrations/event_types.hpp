#pragma once
// The event types integrations subscribe to, and which of them only internal targets get.

#include <optional>
#include <span>
#include <string_view>

namespace triage::collector {

struct EventTypeInfo {
  std::string_view name;
  /// Only targets marked internal may subscribe: the event is about internal details.
  bool internal_only;
  std::string_view description;
};

/// Every event type, in documentation order.
std::span<const EventTypeInfo> event_types();

/// The type called `name`, if it exists.
std::optional<EventTypeInfo> find_event_type(std::string_view name);

inline constexpr std::string_view kTicketCreated = "ticket.created";
inline constexpr std::string_view kTicketUpdated = "ticket.updated";
inline constexpr std::string_view kTicketStatusChanged = "ticket.status_changed";
inline constexpr std::string_view kTicketNoteAdded = "ticket.note_added";
inline constexpr std::string_view kTicketEscalated = "ticket.escalated";
inline constexpr std::string_view kTicketDiagnostics = "ticket.diagnostics";
inline constexpr std::string_view kTicketVerification = "ticket.verification";
inline constexpr std::string_view kTicketActionResult = "ticket.action_result";
inline constexpr std::string_view kPing = "ping";

}  // namespace triage::collector
