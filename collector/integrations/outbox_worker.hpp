#pragma once
// Delivers the outbox: a few threads of its own (never the I/O threads) claim due messages,
// hand each to its target's connector, and record the outcome: delivered, retried later
// with backoff, or failed for good. Woken when messages are enqueued; also polls, and wakes
// when the next retry is due.

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "collector/integrations/connector.hpp"
#include "collector/integrations/retry_policy.hpp"
#include "collector/metrics/collector_metrics.hpp"
#include "collector/storage/store.hpp"
#include "shared/util/periodic_task.hpp"

namespace triage::collector {

struct OutboxSettings {
  std::size_t workers = 2;  ///< deliveries in flight at once (one per target at a time)
  RetrySettings retry;
  /// How often the queue is looked at without a wake-up (e.g. for another node's messages).
  std::chrono::milliseconds poll_interval{5'000};
  /// A claimed message is claimed again after this when its outcome was never recorded
  /// (the process died mid-delivery). Longer than any delivery may take.
  std::chrono::milliseconds lease{25'000};
  /// Delivered and failed messages are kept this long in the delivery log.
  std::chrono::hours retention{24 * 30};
};

class OutboxWorker {
 public:
  OutboxWorker(Store& store, std::vector<std::unique_ptr<Connector>> connectors,
               OutboxSettings settings, CollectorMetrics* metrics = nullptr);
  ~OutboxWorker();
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  /// Starts the threads.
  void start();
  /// Look at the queue now (messages were enqueued or requeued). Any thread; cheap.
  void wake();
  /// Lets deliveries in flight finish (bounded by the connector timeouts) and stops.
  void stop();

  /// Claims and handles one due message; false when none was due. (The threads' step; public
  /// for tests.)
  bool deliver_one(std::mt19937_64& rng);

 private:
  /// One thread's step: delivers one message and says when to look again (at once after a
  /// delivery, else when the next retry is due, within the poll interval). Thread 0 also keeps
  /// the outbox gauge and prunes the delivery log.
  std::chrono::milliseconds step(std::size_t index, std::mt19937_64& rng);
  Connector* connector_for(std::string_view name);
  void housekeeping();

  Store& store_;
  std::vector<std::unique_ptr<Connector>> connectors_;
  OutboxSettings settings_;
  RetryPolicy policy_;
  CollectorMetrics* metrics_;
  std::chrono::steady_clock::time_point next_prune_{};  ///< thread 0 only
  /// One per worker thread, made at construction (wake() reads the list from any thread).
  std::vector<std::unique_ptr<PeriodicTask>> tasks_;
};

}  // namespace triage::collector
