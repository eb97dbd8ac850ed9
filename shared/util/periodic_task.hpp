#pragma once
// Work that repeats on a thread of its own: a step runs, then waits for its interval, a
// wake() or stop(), and runs again. Each run is one failure boundary: an exception is logged
// and counted, and the next run comes as if it had returned. Tests drive it without sleeping:
// wake() runs it now, runs() and failures() say what happened (poll them with a deadline).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace triage {

struct PeriodicTaskOptions {
  /// Names the work in the log line of a failed run ("retention pass").
  std::string name;
  /// The wait between the end of one run and the start of the next.
  std::chrono::milliseconds interval{1000};
  /// The first run comes at start() rather than one interval after it.
  bool run_at_start = false;
  /// The thread's name in `top -H` and profiles (15 bytes at most are kept); empty: `name`.
  std::string thread_name;
};

class PeriodicTask {
 public:
  /// One run.
  using Step = std::function<void()>;
  /// One run that says how long to wait before the next (instead of the interval); zero runs
  /// again at once. A run that throws is followed by the interval.
  using PacedStep = std::function<std::chrono::milliseconds()>;

  PeriodicTask(PeriodicTaskOptions options, Step step);
  PeriodicTask(PeriodicTaskOptions options, PacedStep step);
  /// Stops the thread (after the run under way).
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  /// Starts the thread; nothing when it runs already. After stop(), starts it again.
  void start();
  /// Lets the run under way finish and ends the thread; any thread but the task's own.
  void stop();
  /// Runs the step now, or right after the run under way. Any thread; cheap.
  void wake();
  /// Whether stop() was called: a long run checks it between items to end early.
  bool stopping() const;

  /// Runs completed so far (failed ones included).
  std::uint64_t runs() const;
  /// Runs that threw.
  std::uint64_t failures() const;

 private:
  void run(std::uint64_t seen);
  /// One run inside the failure boundary: the wait it asks for, or nothing when it threw.
  std::optional<std::chrono::milliseconds> run_step();

  const PeriodicTaskOptions options_;
  const PacedStep step_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t wakes_ = 0;
  std::uint64_t runs_ = 0;
  std::uint64_t failures_ = 0;
  std::thread thread_;
};

}  // namespace triage
