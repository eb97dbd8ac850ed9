#include "agent/service/snapshot_worker.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "agent/service/idle_memory.hpp"

namespace triage::agent {

SnapshotWorker::SnapshotWorker(boost::asio::io_context& ioc, SnapshotOptions options,
                               SnapshotProcessOptions process)
    : ioc_(ioc), options_(std::move(options)), process_(std::move(process)) {}

SnapshotWorker::~SnapshotWorker() {
  if (thread_.joinable()) thread_.join();
}

void SnapshotWorker::take(Done done) {
  if (running_) {
    next_.push_back(std::move(done));
    return;
  }
  current_.push_back(std::move(done));
  start_run();
}

void SnapshotWorker::start_run() {
  running_ = true;
  if (thread_.joinable()) thread_.join();
  thread_ = std::thread([this] {
    auto started = std::chrono::steady_clock::now();
    auto options = options_;
    options.cooling_until_unix_ms = cooldown_.cooling_at(CooldownTracker::Clock::now());
    auto snapshot = std::make_shared<v1::Snapshot>(take_snapshot_in_child(options, process_));
    if (is_failed_snapshot(*snapshot)) {
      spdlog::error("no snapshot: {}", snapshot->collectors(0).message());
    } else {
      record_cooldowns(cooldown_, *snapshot, CooldownTracker::Clock::now());
    }
    spdlog::debug("snapshot taken in {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - started)
                                                 .count());
    boost::asio::post(ioc_, [this, snapshot] { finished(snapshot); });
  });
}

void SnapshotWorker::finished(std::shared_ptr<v1::Snapshot> snapshot) {
  running_ = false;
  auto waiting = std::exchange(current_, {});
  for (auto& done : waiting) done(*snapshot);
  snapshot.reset();
  // The snapshot's bytes and message were the daemon's largest allocations; give them back.
  release_free_heap();
  if (next_.empty()) return;
  // Those asked while the last one ran; a run a callback just started is fresh enough too.
  for (auto& done : std::exchange(next_, {})) current_.push_back(std::move(done));
  if (!running_) start_run();
}

}  // namespace triage::agent
