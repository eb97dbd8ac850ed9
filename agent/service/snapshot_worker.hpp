#pragma once
// Takes snapshots off the I/O thread, each in a short-lived child process (snapshot_process.hpp)
// watched by a short-lived thread (an idle agent has neither). One snapshot at a time; callers
// asking while one runs share the next one, so every caller gets a snapshot that started after
// it asked. Results are posted to the io_context. The collectors' cool-downs live here, across
// snapshot processes.

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "agent/collectors/cooldown.hpp"
#include "agent/service/snapshot_process.hpp"

namespace triage::agent {

class SnapshotWorker {
 public:
  /// Gets the snapshot, or the failure snapshot of a child that did not deliver one
  /// (is_failed_snapshot()).
  using Done = std::function<void(const v1::Snapshot&)>;

  SnapshotWorker(boost::asio::io_context& ioc, SnapshotOptions options,
                 SnapshotProcessOptions process = {});
  ~SnapshotWorker();
  SnapshotWorker(const SnapshotWorker&) = delete;
  SnapshotWorker& operator=(const SnapshotWorker&) = delete;

  /// Calls `done` on the io_context thread with a snapshot taken after this call.
  /// Call from the io_context thread only.
  void take(Done done);
  bool busy() const { return running_; }

 private:
  void start_run();
  void finished(std::shared_ptr<v1::Snapshot> snapshot);

  boost::asio::io_context& ioc_;
  SnapshotOptions options_;
  SnapshotProcessOptions process_;
  CooldownTracker cooldown_;  // used by the run thread only (runs never overlap)
  std::thread thread_;
  bool running_ = false;
  std::vector<Done> current_;  // waiting for the running snapshot
  std::vector<Done> next_;     // asked while it ran: wait for the next one
};

}  // namespace triage::agent
