#include "collector/tickets/sla_policy.hpp"

#include <algorithm>

namespace triage::collector {

const SlaTarget& SlaPolicy::for_priority(int priority) const {
  return targets[static_cast<std::size_t>(std::clamp(priority, 1, 4) - 1)];
}

void SlaPolicy::apply(Ticket& ticket) const {
  const auto& target = for_priority(ticket.priority);
  ticket.response_due_at = ticket.created_at + target.response;
  ticket.due_at = ticket.created_at + target.resolve;
}

}  // namespace triage::collector
