#pragma once
// Tickets, their device links, timelines, attachments and enrichments. Every change and
// its timeline events commit together.
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/ticket_records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The reads of this area.
class TicketReader {
 public:
  virtual ~TicketReader() = default;

  virtual Result<std::optional<Ticket>> find_ticket(std::int64_t id) = 0;
  virtual Result<std::optional<Ticket>> find_ticket_by_external(std::string_view system,
                                                                std::string_view external_id) = 0;
  virtual Result<TicketPage> list_tickets(const TicketFilter& filter) = 0;
  /// Tickets linked to `system` that are neither resolved nor closed, oldest first.
  virtual Result<std::vector<Ticket>> linked_open_tickets(std::string_view system, int limit) = 0;
  virtual Result<std::vector<TicketEvent>> ticket_events(std::int64_t ticket_id) = 0;
  /// Metadata only (no content), oldest first.
  virtual Result<std::vector<Attachment>> ticket_attachments(std::int64_t ticket_id) = 0;
  /// With content.
  virtual Result<std::optional<Attachment>> find_attachment(std::int64_t id) = 0;
  virtual Result<std::vector<Enrichment>> ticket_enrichments(std::int64_t ticket_id) = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class TicketRepository : public TicketReader {
 public:
  /// Inserts the ticket, its device links and `events` (their ticket_id is filled in); sets
  /// `ticket.id`. kConflict when (external_system, external_id) exists already.
  virtual Result<void> create_ticket(Ticket& ticket, std::vector<TicketEvent> events) = 0;
  /// Writes the ticket's fields (not its devices) if its version is still
  /// `expected_version` (else kConflict), with the events describing the change.
  virtual Result<void> update_ticket(const Ticket& ticket, std::int64_t expected_version,
                                     const std::vector<TicketEvent>& events) = 0;
  virtual Result<void> append_ticket_events(const std::vector<TicketEvent>& events) = 0;
  /// Links the ticket to ticket `external_id` of `system` (Request Tracker...) with `event`
  /// on its timeline; the ticket as it is after. Linking again to the same is a no-op
  /// (nullopt event written). kNotFound; kConflict when the ticket is linked to another
  /// external ticket or that external ticket to another ticket.
  virtual Result<Ticket> link_ticket_external(std::int64_t ticket_id, std::string_view system,
                                              std::string_view external_id,
                                              const TicketEvent& event) = 0;
  /// Links a device; false when it was linked already (then no event is written).
  virtual Result<bool> link_ticket_device(std::int64_t ticket_id, std::string_view device_id,
                                          const TicketEvent& event) = 0;
  /// Stores the attachment (if any), the enrichment and its timeline event together; sets
  /// `enrichment.id` and `enrichment.attachment_id`.
  virtual Result<void> insert_enrichment(Enrichment& enrichment,
                                         std::optional<Attachment> attachment,
                                         TicketEvent event) = 0;
};

}  // namespace triage::collector
