// Every case of triage_windows_tests has a deadline: one that blocks (a pipe or service call
// Wine never completes) ends the run with its name and a non-zero exit instead of holding up
// `make test` until CTest's time-out.
#include "shared/util/windows/windows_api.hpp"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

// The listener interface of Catch2 2.x is compiled only where this is defined.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

namespace {

constexpr auto kCaseDeadline = std::chrono::seconds(90);

class CaseDeadline : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;
  ~CaseDeadline() override { finish(); }

  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    std::lock_guard lock(mutex_);
    running_ = info.name;
    started_ = true;
    ++generation_;
    if (!watchdog_.joinable()) watchdog_ = std::thread([this] { watch(); });
    changed_.notify_all();
  }

  void testCaseEnded(const Catch::TestCaseStats&) override {
    std::lock_guard lock(mutex_);
    started_ = false;
    ++generation_;
    changed_.notify_all();
  }

  void testRunEnded(const Catch::TestRunStats&) override { finish(); }

 private:
  void finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
      changed_.notify_all();
    }
    if (watchdog_.joinable()) watchdog_.join();
  }

  void watch() {
    std::unique_lock lock(mutex_);
    while (!done_) {
      if (!started_) {
        changed_.wait(lock);
        continue;
      }
      const auto generation = generation_;
      if (changed_.wait_for(lock, kCaseDeadline,
                            [&] { return generation_ != generation || done_; }))
        continue;
      std::fprintf(stderr, "\ntest case \"%s\" did not end within %lld s: the run is stopped\n",
                   running_.c_str(), static_cast<long long>(kCaseDeadline.count()));
      std::fflush(stderr);
      // Not exit(): static destructors could wait on the very thing that hangs.
      std::_Exit(3);
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::string running_;
  bool started_ = false;
  bool done_ = false;
  unsigned long generation_ = 0;
  std::thread watchdog_;
};

}  // namespace

CATCH_REGISTER_LISTENER(CaseDeadline)
