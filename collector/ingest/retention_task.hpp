#pragma once
// Periodic compaction on a thread of its own (never an I/O thread): deletes deltas and metric
// points past their retention, in short transactions so ingest interleaves. What rebuilds a
// device's newest state and what tickets refer to is never deleted (Store::apply_retention).

#include <chrono>

#include "collector/metrics/collector_metrics.hpp"
#include "collector/storage/leadership.hpp"
#include "collector/storage/store.hpp"
#include "shared/util/periodic_task.hpp"

namespace triage::collector {

/// `[retention]` in the collector config.
struct RetentionSettings {
  std::chrono::hours keep_deltas{24 * 90};
  std::chrono::hours keep_metric_points{24 * 365};
  std::chrono::minutes interval{60};
  /// Samples of live views opened without a ticket are deleted this long after they ended (a
  /// recording on a ticket stays with the ticket).
  std::chrono::hours keep_unticketed_live{24 * 7};
};

class RetentionTask {
 public:
  /// Starts the thread: a first pass at once, then one every `settings.interval`. With a
  /// `leadership`, the thread's passes run only while this process leads (one collector node
  /// of a cluster compacts); it outlives the task.
  RetentionTask(Store& store, RetentionSettings settings, CollectorMetrics* metrics = nullptr,
                Leadership* leadership = nullptr);
  RetentionTask(const RetentionTask&) = delete;
  RetentionTask& operator=(const RetentionTask&) = delete;

  /// One pass as of `now` (also what the thread runs, when it leads); counted in the metrics.
  Result<RetentionResult> run_once(TimePoint now);
  /// Finishes the pass in progress, if any, and stops the thread.
  void stop();

 private:
  /// One pass as the thread runs it: logged.
  void run_logged();

  Store& store_;
  RetentionSettings settings_;
  CollectorMetrics* metrics_;
  Leadership* leadership_;
  PeriodicTask task_;  ///< last: stopped before what it uses is gone
};

}  // namespace triage::collector
