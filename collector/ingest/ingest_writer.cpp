#include "collector/ingest/ingest_writer.hpp"

#include <malloc.h>

#include <algorithm>

#include "shared/util/log_levels.hpp"
#include "shared/util/thread_name.hpp"

namespace triage::collector {

namespace {

// Batches costing this much (bytes and parsed elements) are followed by a malloc_trim.
constexpr std::size_t kTrimAfterBytes = 16 * 1024 * 1024;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void run_task(const std::function<void()>& task) {
  try {
    task();
  } catch (const std::exception& e) {
    logs::ingest().error("ingest writer task threw: {}", e.what());
  }
}

}  // namespace

IngestWriter::IngestWriter(Store& store, IngestOptions options, CollectorMetrics* metrics)
    : store_(store), materializer_(store, options.states), options_(options), metrics_(metrics) {
  thread_ = std::thread([this] {
    name_this_thread("ingest-writer");
    run();
  });
}

IngestWriter::~IngestWriter() { stop(); }

bool IngestWriter::submit(StoredReport report, IngestDone done) {
  const std::size_t cost = report.payload.size();
  return submit(std::move(report), cost, std::move(done));
}

bool IngestWriter::submit(StoredReport report, std::size_t cost, IngestDone done) {
  cost = std::max(cost, report.payload.size());
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    done(fail(ErrorCode::kUnavailable, "collector is shutting down"));
    return true;
  }
  queued_bytes_ += cost;
  queue_.push_back(
      Item{std::move(report), cost, std::move(done), std::chrono::steady_clock::now()});
  const bool room = queued_bytes_ <= options_.high_water_bytes;
  if (metrics_) {
    metrics_->ingest_queue_depth.Set(static_cast<double>(queue_.size()));
    metrics_->ingest_queue_bytes.Set(static_cast<double>(queued_bytes_));
  }
  lock.unlock();
  wake_writer_.notify_one();
  return room;
}

void IngestWriter::wait_for_room(std::function<void()> wake) {
  std::unique_lock lock(mutex_);
  if (queued_bytes_ <= options_.low_water_bytes || stopping_) {
    lock.unlock();
    wake();
    return;
  }
  waiting_.push_back(std::move(wake));
}

void IngestWriter::post(std::function<void()> task) {
  std::unique_lock lock(mutex_);
  if (exited_) {
    lock.unlock();
    return run_task(task);
  }
  tasks_.push_back(std::move(task));
  lock.unlock();
  wake_writer_.notify_one();
}

void IngestWriter::set_state_listener(std::function<void(const std::string&)> listener) {
  std::lock_guard lock(mutex_);
  state_listener_ = std::move(listener);
}

void IngestWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void IngestWriter::run() {
  std::vector<Item> batch;
  for (;;) {
    std::vector<std::function<void()>> to_wake;
    std::vector<std::function<void()>> tasks;
    bool timed_out = false;
    bool stopping = false;
    if (metrics_) {
      metrics_->ingest_deferred_devices.Set(static_cast<double>(materializer_.deferred_devices()));
    }
    {
      std::unique_lock lock(mutex_);
      // Wakes each second while deltas wait to be applied, to apply those now due.
      const auto ready = [&] { return stopping_ || !queue_.empty() || !tasks_.empty(); };
      if (materializer_.deferred_devices() == 0) {
        wake_writer_.wait(lock, ready);
      } else {
        timed_out = !wake_writer_.wait_for(lock, std::chrono::seconds(1), ready);
      }
      stopping = stopping_;
      tasks.swap(tasks_);
      if (queue_.empty() && stopping_) {
        to_wake.swap(waiting_);
      }
      // Whatever accumulated while the previous batch committed forms the next batch:
      // batches grow with load, and a lone report is committed at once.
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        queued_bytes_ -= queue_.front().cost;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (queued_bytes_ <= options_.low_water_bytes) to_wake.swap(waiting_);
      if (metrics_) {
        metrics_->ingest_queue_depth.Set(static_cast<double>(queue_.size()));
        metrics_->ingest_queue_bytes.Set(static_cast<double>(queued_bytes_));
      }
      // Stopping and drained: from now on post() runs its task itself.
      if (stopping_ && batch.empty() && tasks.empty()) exited_ = true;
    }
    for (auto& wake : to_wake) wake();
    for (auto& task : tasks) run_task(task);
    if (batch.empty()) {
      // No report for a second, or stopping: every deferred delta is applied now, a pass at
      // a time (a pass that fails is retried a second later, or given up when stopping).
      if ((timed_out || stopping) && materializer_.deferred_devices() > 0 &&
          flush_deferred(options_.flush_devices, /*idle=*/true)) {
        continue;
      }
      if (stopping && tasks.empty()) return;
      continue;
    }
    std::size_t batch_cost = 0;
    for (const auto& item : batch) batch_cost += item.cost;
    commit(batch);
    batch.clear();
    // A large batch was parsed into memory now free: hand it back to the system, or the heap
    // stays at its peak (glibc keeps freed pages of its arenas).
    if (batch_cost >= kTrimAfterBytes) malloc_trim(0);
    // Under load, only the devices whose interval has passed.
    flush_deferred(options_.flush_devices, /*idle=*/false);
  }
}

bool IngestWriter::flush_deferred(std::size_t max, bool idle) {
  std::vector<std::string> applied;
  auto batch = materializer_.flush_deferred(max, idle, applied);
  if (!batch) {
    logs::ingest().error("applying deferred deltas: {}", batch.error().message);
    materializer_.discard();
    return false;
  }
  if (batch->states.empty() && batch->stale_marks.empty()) {
    materializer_.committed();
    return false;
  }
  auto stored = store_.write([&](WriteTx& tx) { return tx.reports().store_ingest(*batch); });
  if (!stored) {
    logs::ingest().error("storing {} device states: {}", batch->states.size(),
                         stored.error().message);
    materializer_.discard();
    return false;
  }
  materializer_.committed();
  std::function<void(const std::string&)> listener;
  {
    std::lock_guard lock(mutex_);
    listener = state_listener_;
  }
  if (listener) {
    for (const auto& id : applied) listener(id);
  }
  return true;
}

void IngestWriter::commit(std::vector<Item>& batch) {
  std::vector<StoredReport> reports;
  reports.reserve(batch.size());
  for (auto& item : batch) reports.push_back(std::move(item.report));
  auto started = std::chrono::steady_clock::now();
  std::vector<StateEffect> effects;
  auto prepared = materializer_.prepare(std::move(reports), effects);
  auto outcome =
      prepared ? store_.write([&](WriteTx& tx) { return tx.reports().store_ingest(*prepared); })
               : Result<std::vector<bool>>(tl::unexpected(prepared.error()));
  if (outcome) {
    materializer_.committed();
  } else {
    materializer_.discard();
  }
  if (metrics_) {
    metrics_->commit_latency_seconds.Observe(seconds_since(started));
    metrics_->commit_batch_size.Observe(static_cast<double>(batch.size()));
  }
  if (!outcome) {
    logs::ingest().error("committing {} reports: {}", batch.size(), outcome.error().message);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Result<IngestOutcome> result =
        outcome ? Result<IngestOutcome>(IngestOutcome{(*outcome)[i], effects[i]})
                : Result<IngestOutcome>(tl::unexpected(outcome.error()));
    if (metrics_ && outcome) {
      metrics_->ingest_latency_seconds.Observe(seconds_since(batch[i].received));
      ((*outcome)[i] ? metrics_->reports_stored : metrics_->reports_duplicate).Increment();
      if (effects[i] == StateEffect::kGap) metrics_->snapshot_gaps.Increment();
    }
    try {
      batch[i].done(result);
    } catch (const std::exception& e) {
      logs::ingest().error("ingest completion threw: {}", e.what());
    }
  }
}

}  // namespace triage::collector
