#pragma once
// Service-level targets per priority: how soon a ticket needs a first public response and
// a resolution. Clock time, counted from creation; set in the `[sla]` config section.

#include <array>
#include <chrono>

#include "collector/storage/ticket_records.hpp"

namespace triage::collector {

struct SlaTarget {
  std::chrono::minutes response;
  std::chrono::minutes resolve;
};

struct SlaPolicy {
  /// Index 0 is P1. Defaults follow common helpdesk practice.
  std::array<SlaTarget, 4> targets = {{
      {std::chrono::minutes(15), std::chrono::hours(4)},
      {std::chrono::hours(1), std::chrono::hours(8)},
      {std::chrono::hours(8), std::chrono::hours(72)},
      {std::chrono::hours(24), std::chrono::hours(168)},
  }};

  const SlaTarget& for_priority(int priority) const;
  /// Sets response_due_at and due_at from created_at and priority.
  void apply(Ticket& ticket) const;
};

}  // namespace triage::collector
