#pragma once
// The one database writer for agent reports: sessions hand reports over, the writer commits
// them in batched transactions and only then reports back, so an acknowledgement always
// means "durable". Each device's materialized state and metric points commit with the
// reports that produced them (state_materializer.hpp). Memory is bounded: past its byte budget the
// writer asks sessions to stop reading (TCP back-pressure) and wakes them when it has drained.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "collector/ingest/state_materializer.hpp"
#include "collector/metrics/collector_metrics.hpp"
#include "collector/storage/store.hpp"

namespace triage::collector {

struct IngestOptions {
  std::size_t max_batch = 1000;
  /// When device states are rewritten under load (see StateMaterializer).
  MaterializerOptions states;
  /// Devices whose deferred deltas are applied per pass between batches.
  std::size_t flush_devices = 100;
  /// Above this many queued bytes submit() reports back-pressure.
  std::size_t high_water_bytes = 128 * 1024 * 1024;
  /// Sessions waiting for room are woken at or below this.
  std::size_t low_water_bytes = 64 * 1024 * 1024;
};

/// Outcome of one committed report.
struct IngestOutcome {
  bool stored = false;  ///< stored now; false: a duplicate (stored earlier)
  StateEffect state = StateEffect::kNone;
};

/// Runs once the report is committed, or with an error (then it is not stored).
using IngestDone = std::function<void(const Result<IngestOutcome>&)>;

class IngestWriter {
 public:
  IngestWriter(Store& store, IngestOptions options, CollectorMetrics* metrics = nullptr);
  ~IngestWriter();
  IngestWriter(const IngestWriter&) = delete;
  IngestWriter& operator=(const IngestWriter&) = delete;

  /// Queues a report; `done` runs on the writer thread after its transaction. Returns false
  /// when the queue is over its high-water mark (the report is queued anyway): the caller
  /// should pause reading and pass `wake` to wait_for_room().
  bool submit(StoredReport report, IngestDone done);
  /// The same, for a report whose parsing costs more memory than its bytes: `cost` (at least
  /// the payload's size) is what it counts against the queue's marks, so that the batch the
  /// writer parses at once stays bounded in memory, not only in bytes.
  bool submit(StoredReport report, std::size_t cost, IngestDone done);
  /// Calls `wake` (on the writer thread) once the queue is at or below its low-water mark.
  void wait_for_room(std::function<void()> wake);
  /// Runs `task` on the writer thread before its next batch, in posting order: small device
  /// writes (hello facts, last seen) that must not block an I/O thread behind a batch commit.
  /// After stop() the task runs at once on the caller's thread.
  void post(std::function<void()> task);

  /// Told (on the writer thread) of each device whose state a deferred-delta pass rewrote;
  /// set before the first submission. The session's `done` says so for the others.
  void set_state_listener(std::function<void(const std::string& device_id)> listener);

  /// Commits what is queued and applies deferred deltas, then stops the thread. Later
  /// submissions fail.
  void stop();

 private:
  struct Item {
    StoredReport report;
    std::size_t cost = 0;
    IngestDone done;
    std::chrono::steady_clock::time_point received;
  };
  void run();
  void commit(std::vector<Item>& batch);
  /// Applies deferred deltas of up to `max` devices in one transaction; false when none.
  bool flush_deferred(std::size_t max, bool idle);

  Store& store_;
  StateMaterializer materializer_;
  IngestOptions options_;
  CollectorMetrics* metrics_;
  std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::deque<Item> queue_;
  std::size_t queued_bytes_ = 0;  ///< the queued reports' costs
  std::vector<std::function<void()>> waiting_;
  std::vector<std::function<void()>> tasks_;
  std::function<void(const std::string&)> state_listener_;
  bool stopping_ = false;
  bool exited_ = false;  ///< the thread has left its loop
  std::thread thread_;
};

}  // namespace triage::collector
