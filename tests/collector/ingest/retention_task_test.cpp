// The retention thread compacts only where this process leads the retention job: of several
// collector nodes on one database, one does (the others skip their passes).

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "collector/ingest/retention_task.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

class CountingLeadership final : public Leadership {
 public:
  explicit CountingLeadership(bool leads) : leads_(leads) {}
  bool is_leader() override {
    ++asked_;
    return leads_;
  }
  int asked() const { return asked_.load(); }

 private:
  const bool leads_;
  std::atomic<int> asked_{0};
};

}  // namespace

TEST_CASE("the retention thread runs its pass only where this node leads retention") {
  const bool leading = GENERATE(true, false);
  testing::TempDir dir;
  auto store = SqliteStore::open((dir.path() / "c.db").string());
  REQUIRE(store);
  CollectorMetrics metrics;
  CountingLeadership leadership(leading);
  RetentionTask task(**store, RetentionSettings{}, &metrics, &leadership);
  // The first pass comes at start; the next one only an hour later.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (leadership.asked() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  task.stop();  // after the run under way
  CHECK(leadership.asked() == 1);
  CHECK(metrics.retention_runs.Value() == (leading ? 1.0 : 0.0));
}
