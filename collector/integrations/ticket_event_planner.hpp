#pragma once
// Turns ticket timeline events into integration events and outbox messages, one per
// subscribed target. Runs inside the transaction that writes the events (see OutboxPlanner).
//
// Two views of every event: the internal one carries the staff view of the ticket and every
// detail; the public one carries only what the requester-facing view shows (no internal notes,
// no diagnostics, no assignee, tier or queue, no reasons, no staff names on internal changes).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/storage/integration_records.hpp"
#include "collector/tickets/outbox_planner.hpp"

namespace triage::collector {

/// One integration event in both views (public is nullopt when the event has nothing a
/// requester may see).
struct PlannedEvent {
  std::string type;
  TimePoint at;
  nlohmann::json internal_body;
  std::optional<nlohmann::json> public_body;
};

/// The integration events one write of `events` on `ticket` (as it is after the write)
/// causes; field changes of one write are merged into one ticket.updated. Event ids are new.
std::vector<PlannedEvent> plan_ticket_events(const Ticket& ticket,
                                             const std::vector<TicketEvent>& events);

/// Whether `target` gets `event_type` events of `ticket`: targets whose settings name a
/// `linked_system` (Request Tracker) get only tickets linked to a ticket of that system, plus,
/// with `create_tickets`, the creation of endpoint help requests not linked yet; others get all.
bool wants_ticket(const IntegrationTarget& target, const Ticket& ticket,
                  std::string_view event_type);

/// The body of a `ping` sent to check a target.
nlohmann::json ping_body(std::int64_t target_id, TimePoint at);

class TicketEventPlanner final : public OutboxPlanner {
 public:
  /// `on_planned` runs (inside the transaction) when messages were planned: wakes the worker.
  explicit TicketEventPlanner(std::function<void()> on_planned = nullptr)
      : on_planned_(std::move(on_planned)) {}

  /// Reads the active targets and each ticket as it is after the change through `tx`, plans
  /// per ticket and enqueues the messages through `tx`. With no active target it reads nothing
  /// more.
  Result<void> enqueue_planned(WriteTx& tx, const std::vector<TicketEvent>& events) override;

  /// The messages `events` (all of `ticket`, as it is after the change) cause for `targets`.
  std::vector<OutboxMessage> plan(const Ticket& ticket, const std::vector<TicketEvent>& events,
                                  const std::vector<IntegrationTarget>& targets);

 private:
  std::function<void()> on_planned_;
};

/// An outbox message of `body` for `target` (new delivery id; the event id is body["id"]).
OutboxMessage outbox_message_for(const IntegrationTarget& target, const std::string& type,
                                 std::int64_t ticket_id, const nlohmann::json& body, TimePoint at);

}  // namespace triage::collector
