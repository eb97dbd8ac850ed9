#pragma once
// Ticket rules: what a new ticket needs, which status moves are allowed, how escalations,
// notes and time entries are recorded. Every change writes its typed timeline event in the
// same transaction. Resolving asks for a verification snapshot of each linked device.

#include <optional>
#include <string>
#include <vector>

#include "collector/storage/store.hpp"
#include "collector/tickets/enrichment_scheduler.hpp"
#include "collector/tickets/outbox_planner.hpp"
#include "collector/tickets/sla_policy.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

struct NewTicket {
  std::string title;
  std::string description;
  std::string requester;
  int priority = 3;
  int tier = 1;
  std::string queue = "default";
  std::string assignee;
  std::vector<std::string> device_ids;
  std::string source = "staff";
  std::string external_system;
  std::string external_id;
  /// Ask linked devices for diagnostics; off when the caller attaches its own.
  bool enrich = true;
};

/// Fields to change; unset fields stay as they are.
struct TicketChange {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> requester;
  std::optional<TicketStatus> status;
  std::optional<int> priority;
  std::optional<int> tier;
  std::optional<std::string> queue;
  std::optional<std::string> assignee;
  std::string reason;  ///< optional words recorded with the change
};

/// Limits on text fields (bytes), checked for every writer (API, webhook, endpoint).
inline constexpr std::size_t kMaxTitleBytes = 200;
inline constexpr std::size_t kMaxTextBytes = 64 * 1024;
inline constexpr std::size_t kMaxNameBytes = 128;

/// Whether a ticket may move from `from` to `to` (new→open→pending→resolved→closed, with
/// reopening of resolved tickets; closed is final).
bool status_move_allowed(TicketStatus from, TicketStatus to);

class TicketService {
 public:
  /// `outbox` (may be null: nothing planned) enqueues what each change's events cause.
  TicketService(Store& store, SlaPolicy sla, EnrichmentScheduler* enrichment,
                OutboxPlanner* outbox = nullptr)
      : store_(store), sla_(std::move(sla)), enrichment_(enrichment), outbox_(outbox) {}

  /// kInvalid for bad fields and unknown devices, kConflict when the external
  /// id is taken (the caller decides whether that means "update instead").
  Result<Ticket> create(NewTicket request, const std::string& actor, TimePoint now);
  Result<Ticket> update(std::int64_t id, const TicketChange& change, const std::string& actor,
                        TimePoint now);
  /// A public note counts as the first response for the SLA.
  /// `extra` adds fields to the event's data (e.g. the external comment id of a webhook).
  Result<TicketEvent> add_note(std::int64_t id, const std::string& text, Visibility visibility,
                               const std::string& actor, TimePoint now,
                               const nlohmann::json& extra = nlohmann::json::object());
  Result<TicketEvent> add_time(std::int64_t id, int minutes, const std::string& note,
                               const std::string& actor, TimePoint now);
  /// Raises the tier (to the next one unless `to_tier` is given) with a reason; unassigns.
  Result<Ticket> escalate(std::int64_t id, std::optional<int> to_tier, const std::string& reason,
                          const std::string& actor, TimePoint now);
  /// Links a device and enriches the ticket with its diagnostics. False if already linked.
  Result<bool> link_device(std::int64_t id, const std::string& device_id, const std::string& actor,
                           TimePoint now);
  /// Records an internal attachment event written by other parts (actions, integrations).
  Result<void> record_event(TicketEvent event);

  Result<Ticket> get(std::int64_t id);

 private:
  /// Appends `events` and enqueues what they cause, in one transaction.
  Result<void> append_events(const std::vector<TicketEvent>& events);

  Store& store_;
  SlaPolicy sla_;
  EnrichmentScheduler* enrichment_;
  OutboxPlanner* outbox_;
};

}  // namespace triage::collector
