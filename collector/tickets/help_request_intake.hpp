#pragma once
// End users ask for help from the endpoint (`triage-agent get-help`): each help request
// becomes one ticket, with the requester and the diagnostics taken when it was made.
// Idempotent by the agent's request id, so a resent request never opens a second ticket.

#include <cstdint>
#include <string>

#include "collector/tickets/enrichment_service.hpp"
#include "collector/tickets/ticket_service.hpp"
#include "triage/v1/report.pb.h"

namespace triage::collector {

class HelpRequestIntake {
 public:
  HelpRequestIntake(Store& store, TicketService& tickets, EnrichmentService& enrichment)
      : store_(store), tickets_(tickets), enrichment_(enrichment) {}

  /// The ticket tracking this committed help request (report `seq` of `device_id`), opened
  /// now unless it exists already.
  Result<std::int64_t> open_ticket(const std::string& device_id, std::uint64_t seq,
                                   const v1::HelpRequest& request);

 private:
  Store& store_;
  TicketService& tickets_;
  EnrichmentService& enrichment_;
};

}  // namespace triage::collector
