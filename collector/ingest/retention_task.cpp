#include "collector/ingest/retention_task.hpp"

#include <spdlog/spdlog.h>

namespace triage::collector {

RetentionTask::RetentionTask(Store& store, RetentionSettings settings, CollectorMetrics* metrics)
    : store_(store), settings_(settings), metrics_(metrics), thread_([this] { run(); }) {}

RetentionTask::~RetentionTask() { stop(); }

void RetentionTask::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

Result<RetentionResult> RetentionTask::run_once(TimePoint now) {
  RetentionCutoffs cutoffs;
  cutoffs.deltas_before = now - settings_.keep_deltas;
  cutoffs.points_before = now - settings_.keep_metric_points;
  auto result = store_.apply_retention(cutoffs);
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

void RetentionTask::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    // One catch boundary per pass: a failed pass is logged and counted, the next one runs.
    try {
      auto result = run_once(std::chrono::system_clock::now());
      if (!result) {
        spdlog::error("retention pass: {}", result.error().message);
      } else if (result->deltas_deleted + result->points_deleted > 0) {
        spdlog::info("retention: deleted {} deltas and {} metric points", result->deltas_deleted,
                     result->points_deleted);
      }
    } catch (const std::exception& e) {
      spdlog::error("retention pass threw: {}", e.what());
    }
    lock.lock();
    wake_.wait_for(lock, settings_.interval, [this] { return stopping_; });
  }
}

}  // namespace triage::collector
