#pragma once
// Rows several PostgreSQL repositories write into a ticket: timeline events, the ticket's
// updated_at, and attachments (tickets, problems and orders all append to a timeline).

#include <cstdint>
#include <vector>

#include "collector/storage/postgres/pg_connection.hpp"
#include "collector/storage/ticket_records.hpp"

namespace triage::collector::pg_ticket_rows {

/// Appends `events` to their tickets' timelines. Plans no outbox messages: planning moves out
/// of the backends into the ticket services.
Result<void> insert_events(postgres::Connection& conn, const std::vector<TicketEvent>& events);

/// Moves the ticket's updated_at forward to `at` (never back); false when there is no such
/// ticket.
Result<bool> touch(postgres::Connection& conn, std::int64_t ticket_id, TimePoint at);

/// Stores an attachment's metadata and content; returns its id.
Result<std::int64_t> insert_attachment(postgres::Connection& conn, const Attachment& attachment);

}  // namespace triage::collector::pg_ticket_rows
