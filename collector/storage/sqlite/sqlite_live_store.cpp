// SqliteStore: live sessions (a technician watching a device second by second) and their
// samples.
#include <map>

#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/storage/time_ms.hpp"

namespace triage::collector {

using sqlite::Statement;
using time_ms::from_ms;
using time_ms::from_optional_ms;
using time_ms::to_ms;
using time_ms::to_optional_ms;

namespace {

constexpr const char* kLiveSessionColumns =
    "id, device_id, ticket_id, started_by, started_at, ends_at, ended_at, end_reason, samples";

LiveSession read_live_session(const Statement& s) {
  LiveSession session;
  session.id = s.column_text(0);
  session.device_id = s.column_text(1);
  session.ticket_id = s.column_optional_int(2);
  session.started_by = s.column_text(3);
  session.started_at = from_ms(s.column_int(4));
  session.ends_at = from_ms(s.column_int(5));
  session.ended_at = from_optional_ms(s.column_optional_int(6));
  session.end_reason = s.column_text(7);
  session.samples = static_cast<std::uint32_t>(s.column_int(8));
  return session;
}

LiveSampleRow read_live_sample(const Statement& s) {
  LiveSampleRow row;
  row.session_id = s.column_text(0);
  row.seq = static_cast<std::uint32_t>(s.column_int(1));
  row.at = from_ms(s.column_int(2));
  row.sample_json = s.column_text(3);
  return row;
}

// Running: not ended, and its end still ahead (the agent stops by itself at ends_at even when
// nobody recorded the end).
constexpr const char* kRunning = "ended_at IS NULL AND ends_at > ?";

}  // namespace

Result<std::optional<LiveSession>> SqliteStore::find_live_session(std::string_view id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(
      std::string("SELECT ") + kLiveSessionColumns + " FROM live_sessions WHERE id = ?", id);
  if (!st) return tl::unexpected(st.error());
  return st->first(read_live_session);
}

Result<std::optional<LiveSession>> SqliteStore::running_live_session(std::string_view device_id,
                                                                     TimePoint now) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(std::string("SELECT ") + kLiveSessionColumns +
                                     " FROM live_sessions WHERE device_id = ? AND " + kRunning +
                                     " ORDER BY started_at DESC, id DESC LIMIT 1",
                                 device_id, to_ms(now));
  if (!st) return tl::unexpected(st.error());
  return st->first(read_live_session);
}

Result<std::int64_t> SqliteStore::count_running_live_sessions(TimePoint now) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(
      std::string("SELECT COUNT(*) FROM live_sessions WHERE ") + kRunning, to_ms(now));
  if (!st) return tl::unexpected(st.error());
  auto count = st->first([](const Statement& s) { return s.column_int(0); });
  if (!count) return tl::unexpected(count.error());
  return count->value_or(0);
}

Result<std::vector<LiveSession>> SqliteStore::ticket_live_sessions(std::int64_t ticket_id) {
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(std::string("SELECT ") + kLiveSessionColumns +
                                     " FROM live_sessions WHERE ticket_id = ? "
                                     "ORDER BY started_at DESC, id DESC",
                                 ticket_id);
  if (!st) return tl::unexpected(st.error());
  return st->rows(read_live_session);
}

Result<std::vector<LiveSampleRow>> SqliteStore::live_samples_after(std::string_view session_id,
                                                                   std::uint32_t after_seq,
                                                                   int limit) {
  // SQLite reads a negative LIMIT as "no limit"; PostgreSQL refuses it. Neither is asked for.
  if (limit <= 0) return std::vector<LiveSampleRow>();
  auto reader = read_connection();
  if (!reader) return tl::unexpected(reader.error());
  auto st = reader->get()->query(
      "SELECT session_id, seq, at, sample FROM live_samples "
      "WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      session_id, after_seq, limit);
  if (!st) return tl::unexpected(st.error());
  return st->rows(read_live_sample);
}

Result<void> SqliteStore::insert_live_session(const LiveSession& s) {
  std::lock_guard lock(write_mutex_);
  auto inserted =
      db_->exec_with(std::string("INSERT INTO live_sessions(") + kLiveSessionColumns +
                         ") VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING",
                     s.id, s.device_id, s.ticket_id, s.started_by, to_ms(s.started_at),
                     to_ms(s.ends_at), to_optional_ms(s.ended_at), s.end_reason, s.samples);
  if (!inserted) return tl::unexpected(inserted.error());
  if (*inserted == 0) return fail(ErrorCode::kConflict, "live session " + s.id + " exists");
  return {};
}

Result<bool> SqliteStore::extend_live_session(std::string_view id, TimePoint ends_at) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "UPDATE live_sessions SET ends_at = ? WHERE id = ? AND ended_at IS NULL", to_ms(ends_at), id);
  if (!changed) return tl::unexpected(changed.error());
  return *changed > 0;
}

Result<bool> SqliteStore::end_live_session(std::string_view id, TimePoint ended_at,
                                           std::string_view reason) {
  std::lock_guard lock(write_mutex_);
  auto changed = db_->exec_with(
      "UPDATE live_sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
      to_ms(ended_at), reason, id);
  if (!changed) return tl::unexpected(changed.error());
  return *changed > 0;
}

Result<std::vector<std::string>> SqliteStore::end_device_live_sessions(std::string_view device_id,
                                                                       TimePoint ended_at,
                                                                       std::string_view reason) {
  std::lock_guard lock(write_mutex_);
  // The one writer holds the database between the two statements: the ids read are the rows
  // the update ends.
  return sqlite::in_transaction(*db_, [&]() -> Result<std::vector<std::string>> {
    auto st = db_->query(
        "SELECT id FROM live_sessions WHERE device_id = ? AND ended_at IS NULL "
        "ORDER BY started_at, id",
        device_id);
    if (!st) return tl::unexpected(st.error());
    auto ids = st->rows([](const Statement& s) { return s.column_text(0); });
    if (!ids) return tl::unexpected(ids.error());
    if (auto r = db_->exec_with("UPDATE live_sessions SET ended_at = ?, end_reason = ? "
                                "WHERE device_id = ? AND ended_at IS NULL",
                                to_ms(ended_at), reason, device_id);
        !r) {
      return tl::unexpected(r.error());
    }
    return ids;
  });
}

Result<std::size_t> SqliteStore::append_live_samples(const std::vector<LiveSampleRow>& samples) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<std::size_t> {
    std::map<std::string, std::int64_t, std::less<>> stored_per_session;
    std::size_t stored = 0;
    for (const auto& sample : samples) {
      // A sample of an unknown session is skipped, not refused: one such sample must not
      // cost the batch the samples of the others.
      auto inserted = db_->exec_with(
          "INSERT INTO live_samples(session_id, seq, at, sample) SELECT ?1, ?2, ?3, ?4 "
          "WHERE EXISTS (SELECT 1 FROM live_sessions WHERE id = ?1) "
          "ON CONFLICT (session_id, seq) DO NOTHING",
          sample.session_id, sample.seq, to_ms(sample.at), sample.sample_json);
      if (!inserted) return tl::unexpected(inserted.error());
      if (*inserted == 0) continue;
      ++stored_per_session[sample.session_id];
      ++stored;
    }
    for (const auto& [session_id, count] : stored_per_session) {
      if (auto r = db_->exec_with("UPDATE live_sessions SET samples = samples + ? WHERE id = ?",
                                  count, session_id);
          !r) {
        return tl::unexpected(r.error());
      }
    }
    return stored;
  });
}

Result<std::size_t> SqliteStore::prune_live_samples(TimePoint cutoff) {
  std::lock_guard lock(write_mutex_);
  return sqlite::in_transaction(*db_, [&]() -> Result<std::size_t> {
    // Counted before the delete: the sessions that still hold samples are the ones that lose
    // them. Their counter goes back to what is stored, none.
    auto counted = db_->exec_with(
        "UPDATE live_sessions SET samples = 0 "
        "WHERE ticket_id IS NULL AND ended_at < ? "
        "AND EXISTS (SELECT 1 FROM live_samples WHERE session_id = live_sessions.id)",
        to_ms(cutoff));
    if (!counted) return tl::unexpected(counted.error());
    if (auto r = db_->exec_with(
            "DELETE FROM live_samples WHERE session_id IN "
            "(SELECT id FROM live_sessions WHERE ticket_id IS NULL AND ended_at < ?)",
            to_ms(cutoff));
        !r) {
      return tl::unexpected(r.error());
    }
    return static_cast<std::size_t>(*counted);
  });
}

}  // namespace triage::collector
