#pragma once
// Checkpoints a WAL database from a thread of its own, so the writer never does it. SQLite's
// automatic checkpoint runs inside the COMMIT that crosses its threshold: the writer then
// copies the WAL into the database file and syncs it, and everything queued behind that
// writer waits. With the writer's wal_autocheckpoint at 0, this thread does the copying with
// PASSIVE checkpoints (they never block the writer) ten times a second. The WAL file starts
// over only when a writer finds it all copied and no reader inside it, which a busy collector
// (its reads never stop) seldom offers: past `restart_bytes` a RESTART checkpoint copies the
// little that is left, waits for the readers and holds the writer until the WAL has started
// over, a pause rather than a file that grows without bound. Not sooner: the writer waits in
// SQLite's busy handler, which sleeps in steps of up to 100 ms; at 64 MiB these pauses
// tripled the ack latency at 5,000 deltas/s.
//
// A RESTART waits for readers at most `restart_wait`, and after one that could not finish the
// next waits `restart_backoff` (doubling up to `restart_backoff_max`): a reader that stays
// for minutes, `triage-collector backup`'s snapshot above all, would otherwise keep the
// writer waiting in RESTART after RESTART for as long as it reads. Measured before this
// bound: ingest fell from 2,000 to 100 reports/s for the 150 s of a backup of a 5 GB database
// (docs/PERFORMANCE.md, "Backup of a serving collector"). The WAL grows meanwhile, and starts
// over once the reader has gone.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

#include "shared/sqlite/database.hpp"
#include "shared/util/periodic_task.hpp"

namespace triage::sqlite {

struct CheckpointOptions {
  std::chrono::milliseconds interval{100};
  /// WAL size past which the checkpoint may make the writer wait.
  std::int64_t restart_bytes = 256 * 1024 * 1024;
  /// The longest a RESTART holds the writer while it waits for readers to leave the WAL.
  std::chrono::milliseconds restart_wait{250};
  /// After a RESTART that readers kept from finishing, the pause before the next one; it
  /// doubles at each further one up to `restart_backoff_max`, and resets once one finishes.
  std::chrono::milliseconds restart_backoff{1'000};
  std::chrono::milliseconds restart_backoff_max{30'000};
};

class WalCheckpointer {
 public:
  /// Opens a connection of its own to `path` and starts checkpointing.
  static Result<std::unique_ptr<WalCheckpointer>> start(const std::filesystem::path& path,
                                                        CheckpointOptions options = {});
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  /// Stops the thread (after the checkpoint under way, if any).
  void stop();

  /// RESTART checkpoints done because the WAL had outgrown `restart_bytes`.
  std::uint64_t restarts() const;
  /// RESTART checkpoints tried (done or given up after `restart_wait`).
  std::uint64_t restart_attempts() const;

 private:
  WalCheckpointer(std::unique_ptr<Database> db, CheckpointOptions options);
  /// One round: a PASSIVE checkpoint, and a RESTART one when the WAL has outgrown its bound.
  void checkpoint();

  std::unique_ptr<Database> db_;
  CheckpointOptions options_;
  int page_size_ = 4096;
  int frames_at_restart_ = -1;            ///< WAL size after the last RESTART checkpoint
  std::chrono::milliseconds backoff_{0};  ///< after the last RESTART given up; 0 after one done
  std::chrono::steady_clock::time_point next_restart_{};  ///< no RESTART before this
  mutable std::mutex mutex_;
  std::uint64_t restarts_ = 0;
  std::uint64_t restart_attempts_ = 0;
  PeriodicTask task_;  ///< last: stopped before what it uses is gone
};

}  // namespace triage::sqlite
