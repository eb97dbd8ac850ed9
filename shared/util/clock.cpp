#include "shared/util/clock.hpp"

namespace triage {

namespace {

class LiveClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace

const Clock& live_clock() {
  static const LiveClock clock;
  return clock;
}

}  // namespace triage
