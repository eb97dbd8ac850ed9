#pragma once
// PostgreSQL: tickets, their device links and external links, timelines, attachments and
// enrichments.

#include "collector/storage/postgres/pg_connector.hpp"
#include "collector/storage/ticket_repository.hpp"

namespace triage::collector {

class PgTicketRepository final : public TicketRepository {
 public:
  explicit PgTicketRepository(postgres::Connector& connector) : connector_(connector) {}

  Result<std::optional<Ticket>> find_ticket(std::int64_t id) override;
  Result<std::optional<Ticket>> find_ticket_by_external(std::string_view system,
                                                        std::string_view external_id) override;
  Result<TicketPage> list_tickets(const TicketFilter& filter) override;
  Result<std::vector<Ticket>> linked_open_tickets(std::string_view system, int limit) override;
  Result<std::vector<TicketEvent>> ticket_events(std::int64_t ticket_id) override;
  Result<std::vector<Attachment>> ticket_attachments(std::int64_t ticket_id) override;
  Result<std::optional<Attachment>> find_attachment(std::int64_t id) override;
  Result<std::vector<Enrichment>> ticket_enrichments(std::int64_t ticket_id) override;
  Result<void> create_ticket(Ticket& ticket, std::vector<TicketEvent> events) override;
  Result<void> update_ticket(const Ticket& ticket, std::int64_t expected_version,
                             const std::vector<TicketEvent>& events) override;
  Result<void> append_ticket_events(const std::vector<TicketEvent>& events) override;
  Result<Ticket> link_ticket_external(std::int64_t ticket_id, std::string_view system,
                                      std::string_view external_id,
                                      const TicketEvent& event) override;
  Result<bool> link_ticket_device(std::int64_t ticket_id, std::string_view device_id,
                                  const TicketEvent& event) override;
  Result<void> insert_enrichment(Enrichment& enrichment, std::optional<Attachment> attachment,
                                 TicketEvent event) override;

 private:
  postgres::Connector& connector_;
};

}  // namespace triage::collector
