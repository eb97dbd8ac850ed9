#pragma once
// End users ask for help from the endpoint (`triage-agent get-help`): each help request
// becomes one ticket, with the requester and the diagnostics taken when it was made.
// Idempotent by the agent's request id, so a resent request never opens a second ticket.

#include <cstdint>
#include <functional>
#include <string>

#include "collector/tickets/enrichment_service.hpp"
#include "collector/tickets/help_request_limiter.hpp"
#include "collector/tickets/ticket_service.hpp"
#include "triage/v1/report.pb.h"

namespace triage::collector {

class HelpRequestIntake {
 public:
  HelpRequestIntake(Store& store, TicketService& tickets, EnrichmentService& enrichment,
                    HelpRequestLimits limits = {})
      : store_(store), tickets_(tickets), enrichment_(enrichment), limiter_(limits) {}

  /// Counts a new help request of the device against its rate and daily cap, or refuses it
  /// with a message for the end user (the request is then never turned into a ticket).
  Result<void> admit(const std::string& device_id);
  /// Told of each refusal (metrics, logs); set before use.
  void set_refusal_listener(
      std::function<void(const std::string& device_id, const std::string& reason)> listener) {
    on_refused_ = std::move(listener);
  }

  /// The ticket tracking this committed help request (report `seq` of `device_id`), opened
  /// now unless it exists already.
  Result<std::int64_t> open_ticket(const std::string& device_id, std::uint64_t seq,
                                   const v1::HelpRequest& request);

 private:
  Store& store_;
  TicketService& tickets_;
  EnrichmentService& enrichment_;
  HelpRequestLimiter limiter_;
  std::function<void(const std::string&, const std::string&)> on_refused_;
};

}  // namespace triage::collector
