#pragma once
// Checkpoints a WAL database from a thread of its own, so the writer never does it. SQLite's
// automatic checkpoint runs inside the COMMIT that crosses its threshold: the writer then
// copies the WAL into the database file and syncs it, and everything queued behind that
// writer waits. With the writer's wal_autocheckpoint at 0, this thread does the copying with
// PASSIVE checkpoints (they never block the writer) a few times a second, and the WAL file
// starts over once a checkpoint has caught up. Should the WAL still outgrow `restart_bytes`,
// a RESTART checkpoint makes the writer wait for it, once, rather than let the file grow
// without bound.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "shared/sqlite/database.hpp"

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

  /// Checkpoints that made the writer wait because the WAL had outgrown `restart_bytes`.
  std::uint64_t restarts() const;

 private:
  WalCheckpointer(std::unique_ptr<Database> db, CheckpointOptions options);
  void run();

  std::unique_ptr<Database> db_;
  CheckpointOptions options_;
  int page_size_ = 4096;
  int frames_at_restart_ = -1;  ///< WAL size after the last RESTART checkpoint
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t restarts_ = 0;
  std::thread thread_;
};

}  // namespace triage::sqlite
