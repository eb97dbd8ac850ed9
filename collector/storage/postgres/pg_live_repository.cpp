// PostgreSQL: live sessions and their samples.
#include "collector/storage/postgres/pg_live_repository.hpp"

#include "collector/storage/postgres/pg_values.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using postgres::Rows;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

constexpr std::string_view kLiveSessionSelect =
    "SELECT id, device_id, ticket_id, started_by, started_at, ends_at, ended_at, end_reason, "
    "samples FROM live_sessions ";

// Running: not ended, and its end still ahead (the agent stops by itself at ends_at even when
// nobody recorded the end).
constexpr std::string_view kRunning = "ended_at IS NULL AND ends_at > ";

// Newest first; ids compared bytewise (COLLATE "C"), the order SQLite gives whatever the
// database's locale.
constexpr std::string_view kNewestFirst = " ORDER BY started_at DESC, id COLLATE \"C\" DESC";

std::vector<LiveSession> read_live_sessions(const Rows& r) {
  std::vector<LiveSession> out;
  for (int i = 0; i < r.size(); ++i) {
    LiveSession s;
    s.id = r.text(i, 0);
    s.device_id = r.text(i, 1);
    s.ticket_id = r.optional_int64(i, 2);
    s.started_by = r.text(i, 3);
    s.started_at = from_ms(r.int64(i, 4));
    s.ends_at = from_ms(r.int64(i, 5));
    s.ended_at = from_optional_ms(r.optional_int64(i, 6));
    s.end_reason = r.text(i, 7);
    s.samples = static_cast<std::uint32_t>(r.int64(i, 8));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::optional<LiveSession>> first(const Result<Rows>& rows) {
  if (!rows) return tl::unexpected(rows.error());
  auto all = read_live_sessions(*rows);
  if (all.empty()) return std::optional<LiveSession>();
  return std::optional<LiveSession>(std::move(all.front()));
}

}  // namespace

Result<std::optional<LiveSession>> PgLiveRepository::find_live_session(std::string_view id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return first((*conn)->query(std::string(kLiveSessionSelect) + "WHERE id = $1", id));
}

Result<std::optional<LiveSession>> PgLiveRepository::running_live_session(
    std::string_view device_id, TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  return first((*conn)->query(std::string(kLiveSessionSelect) + "WHERE device_id = $1 AND " +
                                  std::string(kRunning) + "$2" + std::string(kNewestFirst) +
                                  " LIMIT 1",
                              device_id, to_ms(now)));
}

Result<std::int64_t> PgLiveRepository::count_running_live_sessions(TimePoint now) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT COUNT(*) FROM live_sessions WHERE " + std::string(kRunning) + "$1", to_ms(now));
  if (!r) return tl::unexpected(r.error());
  return r->int64(0, 0);
}

Result<std::vector<LiveSession>> PgLiveRepository::ticket_live_sessions(std::int64_t ticket_id) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      std::string(kLiveSessionSelect) + "WHERE ticket_id = $1" + std::string(kNewestFirst),
      ticket_id);
  if (!r) return tl::unexpected(r.error());
  return read_live_sessions(*r);
}

Result<std::vector<LiveSampleRow>> PgLiveRepository::live_samples_after(std::string_view session_id,
                                                                        std::uint32_t after_seq,
                                                                        int limit) {
  // PostgreSQL refuses a negative LIMIT (SQLite reads it as none): neither is asked for.
  if (limit <= 0) return std::vector<LiveSampleRow>();
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "SELECT session_id, seq, at, sample FROM live_samples "
      "WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
      session_id, after_seq, limit);
  if (!r) return tl::unexpected(r.error());
  std::vector<LiveSampleRow> out;
  for (int i = 0; i < r->size(); ++i) {
    out.push_back(LiveSampleRow{r->text(i, 0), static_cast<std::uint32_t>(r->int64(i, 1)),
                                from_ms(r->int64(i, 2)), r->text(i, 3)});
  }
  return out;
}

Result<void> PgLiveRepository::insert_live_session(const LiveSession& s) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // ON CONFLICT DO NOTHING: an existing id answers kConflict and leaves the transaction
  // usable.
  auto r = (*conn)->query(
      "INSERT INTO live_sessions(id, device_id, ticket_id, started_by, started_at, ends_at, "
      "ended_at, end_reason, samples) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
      "ON CONFLICT (id) DO NOTHING",
      s.id, s.device_id, s.ticket_id, s.started_by, to_ms(s.started_at), to_ms(s.ends_at),
      to_optional_ms(s.ended_at), s.end_reason, s.samples);
  if (!r) return tl::unexpected(r.error());
  if (r->affected() == 0) return fail(ErrorCode::kConflict, "live session " + s.id + " exists");
  return {};
}

Result<bool> PgLiveRepository::extend_live_session(std::string_view id, TimePoint ends_at) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r =
      (*conn)->query("UPDATE live_sessions SET ends_at = $1 WHERE id = $2 AND ended_at IS NULL",
                     to_ms(ends_at), id);
  if (!r) return tl::unexpected(r.error());
  return r->affected() > 0;
}

Result<bool> PgLiveRepository::end_live_session(std::string_view id, TimePoint ended_at,
                                                std::string_view reason) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  auto r = (*conn)->query(
      "UPDATE live_sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL",
      to_ms(ended_at), reason, id);
  if (!r) return tl::unexpected(r.error());
  return r->affected() > 0;
}

Result<std::vector<std::string>> PgLiveRepository::end_device_live_sessions(
    std::string_view device_id, TimePoint ended_at, std::string_view reason) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // The ids are the rows this UPDATE changed: a session another node ends meanwhile is
  // re-checked after its lock and left out.
  auto r = (*conn)->query(
      "WITH ended AS (UPDATE live_sessions SET ended_at = $1, end_reason = $2 "
      "WHERE device_id = $3 AND ended_at IS NULL RETURNING id, started_at) "
      "SELECT id FROM ended ORDER BY started_at, id COLLATE \"C\"",
      to_ms(ended_at), reason, device_id);
  if (!r) return tl::unexpected(r.error());
  std::vector<std::string> ids;
  for (int i = 0; i < r->size(); ++i) ids.push_back(r->text(i, 0));
  return ids;
}

Result<std::size_t> PgLiveRepository::append_live_samples(
    const std::vector<LiveSampleRow>& samples) {
  if (samples.empty()) return std::size_t{0};
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  std::vector<std::string> session_ids;
  std::vector<std::uint32_t> seqs;
  std::vector<std::int64_t> times;
  std::vector<std::string> documents;
  for (const auto& sample : samples) {
    session_ids.push_back(sample.session_id);
    seqs.push_back(sample.seq);
    times.push_back(to_ms(sample.at));
    documents.push_back(sample.sample_json);
  }
  // One statement for the batch: the samples whose session exists, each (session, seq) once,
  // and each session's counter moved by what was stored. A sample of an unknown session is
  // skipped, not refused: it must not cost the batch the samples of the others. Of a
  // (session, seq) twice in the batch the first is kept, as a stored one is kept: DISTINCT ON
  // picks it, since the join with the sessions may reorder the rows.
  auto r = (*conn)->query(
      "WITH stored AS ("
      "  INSERT INTO live_samples(session_id, seq, at, sample) "
      "  SELECT DISTINCT ON (s.session_id, s.seq) s.session_id, s.seq, s.at, s.sample "
      "  FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY "
      "    AS s(session_id, seq, at, sample, received) "
      "  WHERE EXISTS (SELECT 1 FROM live_sessions l WHERE l.id = s.session_id) "
      "  ORDER BY s.session_id, s.seq, s.received "
      "  ON CONFLICT (session_id, seq) DO NOTHING RETURNING session_id), "
      "counted AS (SELECT session_id, COUNT(*) AS n FROM stored GROUP BY session_id), "
      "bumped AS (UPDATE live_sessions l SET samples = l.samples + c.n FROM counted c "
      "  WHERE l.id = c.session_id RETURNING c.n) "
      "SELECT COALESCE(SUM(n), 0)::BIGINT FROM bumped",
      pg_values::text_array(session_ids), pg_values::int_array(seqs), pg_values::int_array(times),
      pg_values::text_array(documents));
  if (!r) return tl::unexpected(r.error());
  return static_cast<std::size_t>(r->int64(0, 0));
}

Result<std::size_t> PgLiveRepository::prune_live_samples(TimePoint cutoff) {
  auto conn = connector_.acquire();
  if (!conn) return tl::unexpected(conn.error());
  // The sessions counted are those that lost samples; their counter goes back to what is
  // stored, none.
  auto r = (*conn)->query(
      "WITH pruned AS (DELETE FROM live_samples WHERE session_id IN "
      "  (SELECT id FROM live_sessions WHERE ticket_id IS NULL AND ended_at < $1) "
      "  RETURNING session_id), "
      "emptied AS (UPDATE live_sessions SET samples = 0 "
      "  WHERE id IN (SELECT session_id FROM pruned) RETURNING id) "
      "SELECT COUNT(*) FROM emptied",
      to_ms(cutoff));
  if (!r) return tl::unexpected(r.error());
  return static_cast<std::size_t>(r->int64(0, 0));
}

}  // namespace triage::collector
