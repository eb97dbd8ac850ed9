#include "collector/storage/postgres/pg_ticket_rows.hpp"

#include "collector/storage/postgres/pg_values.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector::pg_ticket_rows {

using time_ms::to_ms;

Result<void> insert_events(postgres::Connection& conn, const std::vector<TicketEvent>& events) {
  for (const auto& e : events) {
    if (auto r =
            conn.query("INSERT INTO ticket_events(ticket_id, at, actor, kind, visibility, data) "
                       "VALUES ($1, $2, $3, $4, $5, $6)",
                       e.ticket_id, to_ms(e.at), e.actor, e.kind, visibility_name(e.visibility),
                       pg_values::json_text(e.data));
        !r) {
      return tl::unexpected(r.error());
    }
  }
  return {};
}

Result<bool> touch(postgres::Connection& conn, std::int64_t ticket_id, TimePoint at) {
  auto r = conn.query("UPDATE tickets SET updated_at = GREATEST(updated_at, $1) WHERE id = $2",
                      to_ms(at), ticket_id);
  if (!r) return tl::unexpected(r.error());
  return r->affected() > 0;
}

Result<std::int64_t> insert_attachment(postgres::Connection& conn, const Attachment& a) {
  auto r = conn.query(
      "INSERT INTO attachments(ticket_id, name, content_type, kind, visibility, sha256, size, "
      "created_at, created_by, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
      "RETURNING id",
      a.ticket_id, a.name, a.content_type, a.kind, visibility_name(a.visibility), a.sha256,
      static_cast<std::int64_t>(a.content.size()), to_ms(a.created_at), a.created_by,
      postgres::Bytes{a.content});
  if (!r) return tl::unexpected(r.error());
  return r->int64(0, 0);
}

}  // namespace triage::collector::pg_ticket_rows
