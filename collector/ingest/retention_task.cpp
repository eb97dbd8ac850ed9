#include "collector/ingest/retention_task.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::collector {

RetentionTask::RetentionTask(Store& store, RetentionSettings settings, CollectorMetrics* metrics,
                             Leadership* leadership)
    : store_(store),
      settings_(settings),
      metrics_(metrics),
      leadership_(leadership),
      task_(PeriodicTaskOptions{"retention pass", settings.interval, true, "retention"},
            [this] { run_logged(); }) {
  task_.start();
}

void RetentionTask::stop() { task_.stop(); }

Result<RetentionResult> RetentionTask::run_once(TimePoint now) {
  RetentionCutoffs cutoffs;
  cutoffs.deltas_before = now - settings_.keep_deltas;
  cutoffs.points_before = now - settings_.keep_metric_points;
  auto result = store_.write([&](WriteTx& tx) { return tx.reports().apply_retention(cutoffs); });
  if (result) {
    auto live = store_.write([&](WriteTx& tx) {
      return tx.live().prune_live_samples(now - settings_.keep_unticketed_live);
    });
    if (!live) {
      result = tl::unexpected(live.error());
    } else if (*live > 0) {
      logs::storage().info("retention: deleted the samples of {} live views without a ticket",
                           *live);
    }
  }
  if (!result) {
    if (metrics_) metrics_->retention_failures.Increment();
    return result;
  }
  if (metrics_) {
    metrics_->retention_runs.Increment();
    metrics_->retention_deltas_deleted.Increment(static_cast<double>(result->deltas_deleted));
    metrics_->retention_points_deleted.Increment(static_cast<double>(result->points_deleted));
  }
  return result;
}

void RetentionTask::run_logged() {
  if (!leads(leadership_)) return;
  auto result = run_once(std::chrono::system_clock::now());
  if (!result) {
    logs::storage().error("retention pass: {}", result.error().message);
  } else if (result->deltas_deleted + result->points_deleted > 0) {
    logs::storage().info("retention: deleted {} deltas and {} metric points",
                         result->deltas_deleted, result->points_deleted);
  }
}

}  // namespace triage::collector
