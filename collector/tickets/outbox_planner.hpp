#pragma once
// The seam between what writes ticket events (the ticket, enrichment, problem and order
// services) and what decides which messages they cause to other systems (the integrations'
// TicketEventPlanner). Every write of ticket events calls plan_outbox() in its own transaction,
// so the messages commit with the change or not at all; no storage backend plans anything.

#include <vector>

#include "collector/storage/transaction.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// Enqueues the outbox messages that ticket events cause.
class OutboxPlanner {
 public:
  virtual ~OutboxPlanner() = default;

  /// Called inside the write transaction `tx`, right after `events` were written through it:
  /// each as stored (ticket_id and data filled in; its id may be 0 when the repository did not
  /// report it). Reads and enqueues through `tx` only and must be quick (no network); an error
  /// rolls the whole change back.
  virtual Result<void> enqueue_planned(WriteTx& tx, const std::vector<TicketEvent>& events) = 0;
};

/// `planner->enqueue_planned(tx, events)`; nothing when `planner` is null (no integrations,
/// as in tools and most tests) or there are no events.
inline Result<void> plan_outbox(OutboxPlanner* planner, WriteTx& tx,
                                const std::vector<TicketEvent>& events) {
  if (planner == nullptr || events.empty()) return {};
  return planner->enqueue_planned(tx, events);
}

}  // namespace triage::collector
