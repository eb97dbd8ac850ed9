#pragma once
// Tickets mirrored from an external helpdesk (the inbound webhook): created or updated by
// (external system, external id), so a delivery repeated by the sender changes nothing the
// second time. Comments carry the sender's own id and are added once.

#include <optional>
#include <string>
#include <vector>

#include "collector/tickets/ticket_service.hpp"

namespace triage::collector {

struct ExternalComment {
  std::string id;  ///< the sender's comment id: the de-duplication key
  std::string text;
  Visibility visibility = Visibility::kPublic;
};

struct ExternalTicket {
  std::string system;  ///< e.g. "servicenow", "rt": [A-Za-z0-9._-], at most 64 bytes
  std::string id;      ///< the ticket's id in that system
  std::optional<std::string> title;  ///< required when the ticket is new
  std::optional<std::string> description;
  std::optional<std::string> requester;
  std::optional<int> priority;
  std::optional<TicketStatus> status;
  std::optional<std::string> queue;
  std::optional<std::string> device_id;
  std::optional<ExternalComment> comment;
};

struct ExternalSyncOutcome {
  Ticket ticket;
  bool created = false;
  std::vector<std::string> changed;  ///< fields changed on an existing ticket
  bool device_linked = false;
  bool comment_added = false;
};

class ExternalTicketSync {
 public:
  ExternalTicketSync(Store& store, TicketService& tickets) : store_(store), tickets_(tickets) {}

  /// kInvalid for bad fields (naming the field) and unknown devices, kConflict
  /// for a status move the lifecycle forbids or a closed ticket.
  Result<ExternalSyncOutcome> upsert(const ExternalTicket& request, const std::string& actor,
                                     TimePoint now);

 private:
  Result<ExternalSyncOutcome> update_existing(const Ticket& existing, const ExternalTicket& request,
                                              const std::string& actor, TimePoint now);
  Result<bool> add_comment_once(std::int64_t ticket_id, const ExternalComment& comment,
                                const ExternalTicket& request, const std::string& actor,
                                TimePoint now);

  Store& store_;
  TicketService& tickets_;
};

}  // namespace triage::collector
