#include "shared/sqlite/wal_checkpointer.hpp"

#include <algorithm>

#include "shared/util/log_levels.hpp"

namespace triage::sqlite {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(const std::filesystem::path& path,
                                                                CheckpointOptions options) {
  auto db = Database::open(path);
  if (!db) return tl::unexpected(db.error());
  // This connection never commits, so it never checkpoints on its own either. Its busy
  // handler only ever runs inside a RESTART (PASSIVE never waits): that is the RESTART's wait.
  sqlite3_busy_timeout((*db)->handle(), static_cast<int>(options.restart_wait.count()));
  std::unique_ptr<WalCheckpointer> checkpointer(new WalCheckpointer(std::move(*db), options));
  auto st = checkpointer->db_->prepare("PRAGMA page_size");
  if (!st) return tl::unexpected(st.error());
  if (auto row = st->step(); row && *row)
    checkpointer->page_size_ = static_cast<int>(st->column_int(0));
  checkpointer->task_.start();
  return checkpointer;
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<Database> db, CheckpointOptions options)
    : db_(std::move(db)),
      options_(options),
      task_(PeriodicTaskOptions{"database checkpoint", options.interval, false, "wal-checkpoint"},
            [this] { checkpoint(); }) {}

WalCheckpointer::~WalCheckpointer() { stop(); }

void WalCheckpointer::stop() { task_.stop(); }

std::uint64_t WalCheckpointer::restarts() const {
  std::lock_guard lock(mutex_);
  return restarts_;
}

std::uint64_t WalCheckpointer::restart_attempts() const {
  std::lock_guard lock(mutex_);
  return restart_attempts_;
}

void WalCheckpointer::checkpoint() {
  int wal_frames = 0;
  int copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                     &copied);
  // BUSY: another checkpoint is running (a CLI command closing its connection); LOCKED and
  // the like are retried at the next interval too.
  if (rc != SQLITE_OK) return;
  const std::int64_t wal_bytes = static_cast<std::int64_t>(wal_frames) * page_size_;
  // Once restarted, the WAL keeps its size until the writer's next transaction starts it
  // over: not a reason to hold the writer again.
  if (wal_bytes <= options_.restart_bytes || wal_frames == frames_at_restart_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_restart_) return;
  rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_RESTART, &wal_frames,
                                 &copied);
  {
    std::lock_guard lock(mutex_);
    ++restart_attempts_;
  }
  logs::storage().debug("database WAL at {} MiB: RESTART checkpoint: {}", wal_bytes / (1024 * 1024),
                        rc == SQLITE_OK ? "done" : db_->last_error());
  if (rc == SQLITE_OK) {
    frames_at_restart_ = wal_frames;
    backoff_ = std::chrono::milliseconds(0);
    std::lock_guard lock(mutex_);
    ++restarts_;
    return;
  }
  backoff_ = backoff_.count() == 0 ? options_.restart_backoff
                                   : std::min(2 * backoff_, options_.restart_backoff_max);
  next_restart_ = now + backoff_;
  if (wal_bytes > 4 * options_.restart_bytes) {
    // Readers or the writer held on for the whole busy timeout, again and again.
    logs::storage().warn("database WAL at {} MiB and not started over: {}",
                         wal_bytes / (1024 * 1024), db_->last_error());
  }
}

}  // namespace triage::sqlite
