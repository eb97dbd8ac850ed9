#pragma once
// Live sessions and their recordings: a technician watches a device's CPU, memory, disk and
// network rates, top processes and new log errors every second while the user reproduces a
// problem (collector/live/live_service.hpp). The session row says who watches what until when;
// its samples are stored as they arrive, on whichever collector node holds the device's
// connection, so any node can serve them and the recording stays on the ticket afterwards.
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// One live session as stored.
struct LiveSession {
  std::string id;
  std::string device_id;
  std::optional<std::int64_t> ticket_id;
  std::string started_by;
  TimePoint started_at;
  /// When the agent stops sending by itself (moved later when staff extend the session).
  TimePoint ends_at;
  /// Set once the session ended (time up, stopped, refused by the agent, device gone).
  std::optional<TimePoint> ended_at;
  std::string end_reason;
  /// Samples stored so far.
  std::uint32_t samples = 0;
};

/// One sample as stored: the agent's LiveSample as JSON (collector/live/live_sample_json.hpp).
struct LiveSampleRow {
  std::string session_id;
  std::uint32_t seq = 0;
  TimePoint at;
  std::string sample_json;
};

/// The reads of this area.
class LiveReader {
 public:
  virtual ~LiveReader() = default;

  virtual Result<std::optional<LiveSession>> find_live_session(std::string_view id) = 0;
  /// The device's session that has not ended and whose end is after `now`, if any (the newest
  /// one when there are several).
  virtual Result<std::optional<LiveSession>> running_live_session(std::string_view device_id,
                                                                  TimePoint now) = 0;
  /// Sessions that have not ended and whose end is after `now`, on every device.
  virtual Result<std::int64_t> count_running_live_sessions(TimePoint now) = 0;
  /// The ticket's sessions, newest first.
  virtual Result<std::vector<LiveSession>> ticket_live_sessions(std::int64_t ticket_id) = 0;
  /// Samples with seq > `after_seq`, in seq order, at most `limit`.
  virtual Result<std::vector<LiveSampleRow>> live_samples_after(std::string_view session_id,
                                                                std::uint32_t after_seq,
                                                                int limit) = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class LiveRepository : public LiveReader {
 public:
  /// kConflict when the id exists.
  virtual Result<void> insert_live_session(const LiveSession& session) = 0;
  /// Moves the end of a session that has not ended; false (nothing written) when it ended.
  virtual Result<bool> extend_live_session(std::string_view id, TimePoint ends_at) = 0;
  /// Ends a session that has not ended; false (nothing written) when it had.
  virtual Result<bool> end_live_session(std::string_view id, TimePoint ended_at,
                                        std::string_view reason) = 0;
  /// Ends every session of the device that has not ended; returns their ids.
  virtual Result<std::vector<std::string>> end_device_live_sessions(std::string_view device_id,
                                                                    TimePoint ended_at,
                                                                    std::string_view reason) = 0;
  /// Stores the samples whose session exists (others are skipped), a (session, seq) received
  /// twice once, and adds what was stored to each session's `samples`. Returns how many were
  /// stored.
  virtual Result<std::size_t> append_live_samples(const std::vector<LiveSampleRow>& samples) = 0;
  /// Deletes the samples of sessions without a ticket that ended before `cutoff` (a recording
  /// on a ticket stays with the ticket); their `samples` go back to 0, the number stored.
  /// Returns how many sessions lost their samples.
  virtual Result<std::size_t> prune_live_samples(TimePoint cutoff) = 0;
};

}  // namespace triage::collector
