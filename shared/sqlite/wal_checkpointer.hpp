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

 private:
  WalCheckpointer(std::unique_ptr<Database> db, CheckpointOptions options);
  /// One round: a PASSIVE checkpoint, and a RESTART one when the WAL has outgrown its bound.
  void checkpoint();

  std::unique_ptr<Database> db_;
  CheckpointOptions options_;
  int page_size_ = 4096;
  int frames_at_restart_ = -1;  ///< WAL size after the last RESTART checkpoint
  mutable std::mutex mutex_;
  std::uint64_t restarts_ = 0;
  PeriodicTask task_;  ///< last: stopped before what it uses is gone
};

}  // namespace triage::sqlite
