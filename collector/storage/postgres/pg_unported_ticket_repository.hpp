#pragma once
// PostgreSQL, not ported yet: tickets, timelines, attachments and enrichments. Every call fails
// with kUnavailable instead of crashing; the backend stays unselectable in open_store() until every
// area is ported.

#include "collector/storage/ticket_repository.hpp"

namespace triage::collector {

class PgUnportedTicketRepository final : public TicketRepository {
 public:
  Result<std::optional<Ticket>> find_ticket(std::int64_t) override { return unavailable(); }
  Result<std::optional<Ticket>> find_ticket_by_external(std::string_view,
                                                        std::string_view) override {
    return unavailable();
  }
  Result<TicketPage> list_tickets(const TicketFilter&) override { return unavailable(); }
  Result<std::vector<Ticket>> linked_open_tickets(std::string_view, int) override {
    return unavailable();
  }
  Result<std::vector<TicketEvent>> ticket_events(std::int64_t) override { return unavailable(); }
  Result<std::vector<Attachment>> ticket_attachments(std::int64_t) override {
    return unavailable();
  }
  Result<std::optional<Attachment>> find_attachment(std::int64_t) override { return unavailable(); }
  Result<std::vector<Enrichment>> ticket_enrichments(std::int64_t) override {
    return unavailable();
  }
  Result<void> create_ticket(Ticket&, std::vector<TicketEvent>) override { return unavailable(); }
  Result<void> update_ticket(const Ticket&, std::int64_t,
                             const std::vector<TicketEvent>&) override {
    return unavailable();
  }
  Result<void> append_ticket_events(const std::vector<TicketEvent>&) override {
    return unavailable();
  }
  Result<Ticket> link_ticket_external(std::int64_t, std::string_view, std::string_view,
                                      const TicketEvent&) override {
    return unavailable();
  }
  Result<bool> link_ticket_device(std::int64_t, std::string_view, const TicketEvent&) override {
    return unavailable();
  }
  Result<void> insert_enrichment(Enrichment&, std::optional<Attachment>, TicketEvent) override {
    return unavailable();
  }

 private:
  static tl::unexpected<Error> unavailable() {
    return fail(ErrorCode::kUnavailable, "tickets: not yet supported by the PostgreSQL backend");
  }
};

}  // namespace triage::collector
