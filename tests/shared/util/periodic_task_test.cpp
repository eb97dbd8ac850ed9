// PeriodicTask: runs at start or after its interval, on wake(), paced by its step, through a
// run that throws, and stops promptly. No test waits on the interval: they wake the task and
// poll what it did, with a deadline.

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "shared/util/periodic_task.hpp"

using namespace std::chrono_literals;
using triage::PeriodicTask;
using triage::PeriodicTaskOptions;

namespace {

/// Polls `done` until it holds or 10 s pass.
template <typename Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

PeriodicTaskOptions hourly(bool run_at_start = false) {
  return PeriodicTaskOptions{"test task", 1h, run_at_start, ""};
}

}  // namespace

TEST_CASE("a periodic task runs at start when asked, and again whenever it is woken") {
  std::atomic<int> calls{0};
  PeriodicTask task(hourly(true), [&] { ++calls; });
  task.start();
  REQUIRE(eventually([&] { return task.runs() == 1; }));
  task.wake();
  REQUIRE(eventually([&] { return task.runs() == 2; }));
  task.stop();
  CHECK(calls == 2);
  CHECK(task.failures() == 0);
}

TEST_CASE("without run_at_start the first run waits for the interval or a wake") {
  PeriodicTask task(hourly(), [] {});
  task.start();
  CHECK(task.runs() == 0);
  task.wake();
  REQUIRE(eventually([&] { return task.runs() == 1; }));
}

TEST_CASE("a wake that comes before the task's thread first looks is not lost") {
  PeriodicTask task(hourly(), [] {});
  task.start();
  task.wake();  // the thread may not have reached its first wait yet
  REQUIRE(eventually([&] { return task.runs() == 1; }));
}

TEST_CASE("a run that throws is logged and counted, and the task carries on") {
  std::atomic<int> calls{0};
  PeriodicTask task(hourly(true), [&] {
    if (++calls == 1) throw std::runtime_error("database is locked");
  });
  task.start();
  REQUIRE(eventually([&] { return task.failures() == 1; }));
  task.wake();
  const bool ok = eventually([&] { return task.runs() == 2; });
  INFO("runs " << task.runs() << " failures " << task.failures() << " calls " << calls);
  REQUIRE(ok);
  CHECK(task.failures() == 1);
}

TEST_CASE("a paced step's answer replaces the interval: zero runs again at once") {
  std::atomic<int> calls{0};
  PeriodicTask task(hourly(true), PeriodicTask::PacedStep([&] {
                      return ++calls < 3 ? 0ms : std::chrono::milliseconds(1h);
                    }));
  task.start();
  REQUIRE(eventually([&] { return task.runs() == 3; }));
  task.stop();
  CHECK(calls == 3);
}

TEST_CASE("a wake during a run brings the next run at once") {
  std::mutex mutex;
  std::condition_variable cv;
  bool in_run = false;
  bool release = false;
  PeriodicTask task(hourly(true), [&] {
    std::unique_lock lock(mutex);
    if (release) return;
    in_run = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  });
  task.start();
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return in_run; });
  }
  task.wake();
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  cv.notify_all();
  REQUIRE(eventually([&] { return task.runs() == 2; }));
}

TEST_CASE("stop ends a task that waits for a long interval, and a long run sees it stopping") {
  std::atomic<bool> saw_stop{false};
  std::atomic<bool> running{false};
  PeriodicTask task(hourly(true), [&] {
    running = true;
    while (!task.stopping()) std::this_thread::yield();
    saw_stop = true;
  });
  CHECK_FALSE(task.stopping());
  task.start();
  REQUIRE(eventually([&] { return running.load(); }));
  task.stop();  // returns once the run has seen it
  CHECK(saw_stop);
  CHECK(task.runs() == 1);

  PeriodicTask idle(hourly(), [] {});
  idle.start();
  idle.stop();  // never waits the hour
  CHECK(idle.runs() == 0);
}

TEST_CASE("a stopped task starts again") {
  PeriodicTask task(hourly(true), [] {});
  task.start();
  REQUIRE(eventually([&] { return task.runs() == 1; }));
  task.stop();
  task.start();
  REQUIRE(eventually([&] { return task.runs() == 2; }));
}

#if defined(__linux__)
#include <fstream>
#include <string>

#include <pthread.h>

TEST_CASE("a periodic task's thread carries its name, so profiles say which work it is") {
  std::string seen;
  std::mutex seen_mutex;
  PeriodicTask task(PeriodicTaskOptions{"database checkpoint", 1h, true, "wal-checkpoint"}, [&] {
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    std::lock_guard lock(seen_mutex);
    seen = name;
  });
  task.start();
  REQUIRE(eventually([&] { return task.runs() == 1; }));
  task.stop();
  CHECK(seen == "wal-checkpoint");
}

TEST_CASE("a thread name longer than the kernel keeps is cut, not refused") {
  std::string seen;
  std::mutex seen_mutex;
  PeriodicTask task(PeriodicTaskOptions{"a name far longer than fifteen bytes", 1h, true, ""}, [&] {
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    std::lock_guard lock(seen_mutex);
    seen = name;
  });
  task.start();
  REQUIRE(eventually([&] { return task.runs() == 1; }));
  task.stop();
  CHECK(seen == "a name far long");
}
#endif
