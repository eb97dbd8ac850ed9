#include "shared/util/periodic_task.hpp"

#include <exception>

#include <spdlog/spdlog.h>

#include "shared/util/thread_name.hpp"

namespace triage {

PeriodicTask::PeriodicTask(PeriodicTaskOptions options, Step step)
    : PeriodicTask(std::move(options), PacedStep([step = std::move(step), this] {
                     step();
                     return options_.interval;
                   })) {}

PeriodicTask::PeriodicTask(PeriodicTaskOptions options, PacedStep step)
    : options_(std::move(options)), step_(std::move(step)) {}

PeriodicTask::~PeriodicTask() { stop(); }

void PeriodicTask::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  // A wake() from now on counts, even one that comes before the thread first looks.
  thread_ = std::thread([this, seen = wakes_] {
    name_this_thread(options_.thread_name.empty() ? options_.name : options_.thread_name);
    run(seen);
  });
}

void PeriodicTask::stop() {
  std::thread ending;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    ending = std::move(thread_);
  }
  wake_.notify_all();
  if (ending.joinable()) ending.join();
}

void PeriodicTask::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakes_;
  }
  wake_.notify_all();
}

bool PeriodicTask::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

std::uint64_t PeriodicTask::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

std::uint64_t PeriodicTask::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

std::optional<std::chrono::milliseconds> PeriodicTask::run_step() {
  try {
    return step_();
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", options_.name, e.what());
  } catch (...) {
    spdlog::error("{} failed: unknown exception", options_.name);
  }
  return std::nullopt;
}

void PeriodicTask::run(std::uint64_t seen) {
  std::unique_lock lock(mutex_);
  auto wait = options_.run_at_start ? std::chrono::milliseconds(0) : options_.interval;
  for (;;) {
    if (wait.count() > 0) {
      wake_.wait_for(lock, wait, [&] { return stopping_ || wakes_ != seen; });
    }
    if (stopping_) return;
    // A wake() during the run brings the next one at once.
    seen = wakes_;
    lock.unlock();
    const auto next = run_step();
    lock.lock();
    ++runs_;
    if (!next) ++failures_;
    wait = next.value_or(options_.interval);
  }
}

}  // namespace triage
