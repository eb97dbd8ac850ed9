// The collector framework: isolation of failures, budgets, cool-down, category selection.
#include <catch2/catch.hpp>
#include <thread>

#include "agent/collectors/category.hpp"
#include "agent/collectors/snapshot_taker.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
using namespace std::chrono_literals;
using triage::v1::CollectorStatus;

namespace {

triage::Result<void> good(CollectContext&, triage::v1::Snapshot& out) {
  out.mutable_system()->set_hostname("good-host");
  return {};
}

triage::Result<void> broken(CollectContext&, triage::v1::Snapshot& out) {
  out.mutable_system()->set_timezone("partial output that must be dropped");
  return triage::fail("cannot parse the thing");
}

triage::Result<void> throws(CollectContext&, triage::v1::Snapshot&) {
  throw std::runtime_error("boom");
}

triage::Result<void> spins(CollectContext& ctx, triage::v1::Snapshot& out) {
  out.mutable_hardware()->mutable_cpu()->set_model_name("partial");
  volatile std::uint64_t x = 0;
  for (;;) {
    for (int i = 0; i < 100000; ++i) x = x + static_cast<std::uint64_t>(i);
    if (!ctx.within_budget()) return ctx.over_budget();
  }
}

triage::Result<void> hoards(CollectContext& ctx, triage::v1::Snapshot&) {
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 64; ++i) {
    blocks.push_back(std::make_unique<char[]>(1024 * 1024));
    blocks.back()[0] = 1;
    if (!ctx.within_budget()) return ctx.over_budget();
  }
  return {};
}

triage::Result<void> unavailable(CollectContext& ctx, triage::v1::Snapshot&) {
  ctx.unavailable("frobnicator not installed");
  return {};
}

const std::array kTestCatalog = {
    CollectorSpec{"good", Category::kSystem, Budget{}, false, &good},
    CollectorSpec{"broken", Category::kSystem, Budget{}, false, &broken},
    CollectorSpec{"throws", Category::kHardware, Budget{}, false, &throws},
    CollectorSpec{"spins", Category::kHardware, Budget{20ms, 5000ms, 64 << 20}, false, &spins},
    CollectorSpec{"hoards", Category::kHealth, Budget{5000ms, 5000ms, 4 << 20}, false, &hoards},
    CollectorSpec{"absent", Category::kNetwork, Budget{}, false, &unavailable},
};

SnapshotOptions test_options() {
  SnapshotOptions o;
  o.sysroot = testing::fixture_root("desktop");
  return o;
}

}  // namespace

TEST_CASE("A failing, throwing or slow collector costs only its own result", "[framework]") {
  SnapshotTaker taker(test_options(), kTestCatalog, nullptr);
  auto snap = taker.take();
  CHECK(snap.schema_version() == kSnapshotSchemaVersion);
  CHECK(snap.collected_at_unix_ms() > 0);
  CHECK(snap.system().hostname() == "good-host");
  CHECK(snap.system().timezone().empty());
  CHECK(snap.hardware().cpu().model_name().empty());
  REQUIRE(snap.collectors_size() == 6);
  CHECK(testing::status_of(snap, "good").outcome() == CollectorStatus::OK);
  auto broken_status = testing::status_of(snap, "broken");
  CHECK(broken_status.outcome() == CollectorStatus::FAILED);
  CHECK(broken_status.message() == "cannot parse the thing");
  CHECK(broken_status.category() == "system");
  auto thrown = testing::status_of(snap, "throws");
  CHECK(thrown.outcome() == CollectorStatus::FAILED);
  CHECK_THAT(thrown.message(), Catch::Contains("boom"));
  auto spun = testing::status_of(snap, "spins");
  CHECK(spun.outcome() == CollectorStatus::OVER_BUDGET);
  CHECK_THAT(spun.message(), Catch::Contains("CPU"));
  CHECK(spun.cpu_ms() >= 20);
  auto hoarded = testing::status_of(snap, "hoards");
  CHECK(hoarded.outcome() == CollectorStatus::OVER_BUDGET);
  CHECK_THAT(hoarded.message(), Catch::Contains("heap"));
  CHECK(testing::status_of(snap, "absent").outcome() == CollectorStatus::UNAVAILABLE);
  CHECK(testing::status_of(snap, "absent").message() == "frobnicator not installed");
}

TEST_CASE("An over-budget collector cools down, then is retried", "[framework]") {
  auto now = std::chrono::system_clock::time_point(std::chrono::hours(480000));
  SnapshotTaker taker(test_options(), kTestCatalog, nullptr, [&] { return now; });
  CHECK(testing::status_of(taker.take(), "spins").outcome() == CollectorStatus::OVER_BUDGET);

  now += 1min;
  auto second = taker.take();
  auto cooling = testing::status_of(second, "spins");
  CHECK(cooling.outcome() == CollectorStatus::COOLING_DOWN);
  CHECK(cooling.cpu_ms() == 0);
  CHECK(cooling.retry_after_unix_ms() > 0);
  CHECK(testing::status_of(second, "good").outcome() == CollectorStatus::OK);

  now += 16min;  // first cool-down is 15 minutes
  CHECK(testing::status_of(taker.take(), "spins").outcome() == CollectorStatus::OVER_BUDGET);
  now += 16min;  // second offence: 30 minutes
  CHECK(testing::status_of(taker.take(), "spins").outcome() == CollectorStatus::COOLING_DOWN);
  now += 15min;
  CHECK(testing::status_of(taker.take(), "spins").outcome() == CollectorStatus::OVER_BUDGET);
}

TEST_CASE("Cool-down doubles per offence up to its cap and resets after a clean run",
          "[framework]") {
  CooldownTracker t(std::chrono::minutes(15), std::chrono::minutes(60));
  auto now = std::chrono::system_clock::time_point(std::chrono::hours(1000));
  CHECK(t.record_over_budget("x", now) == now + 15min);
  CHECK(t.record_over_budget("x", now) == now + 30min);
  CHECK(t.record_over_budget("x", now) == now + 60min);
  CHECK(t.record_over_budget("x", now) == now + 60min);
  CHECK(t.cooling_until("x", now + 59min).has_value());
  CHECK_FALSE(t.cooling_until("x", now + 61min).has_value());
  CHECK_FALSE(t.cooling_until("y", now).has_value());
  t.record_ok("x");
  CHECK(t.record_over_budget("x", now) == now + 15min);
}

TEST_CASE("Only selected categories run, disabled ones are reported", "[framework]") {
  auto options = test_options();
  options.only_categories = {"system", "health"};
  options.disabled_categories = {"health"};
  SnapshotTaker taker(options, kTestCatalog, nullptr);
  auto snap = taker.take();
  REQUIRE(snap.collectors_size() == 3);
  CHECK(testing::status_of(snap, "hoards").outcome() == CollectorStatus::DISABLED);
  CHECK(testing::status_of(snap, "throws").name().empty());
}

TEST_CASE("Category names round-trip", "[framework]") {
  for (auto c : all_categories()) CHECK(parse_category(category_name(c)) == c);
  CHECK_FALSE(parse_category("System").has_value());
  CHECK_FALSE(parse_category("").has_value());
  CHECK(all_categories().size() == 6);
}

TEST_CASE("Every catalog entry has a unique name, a function and a sane budget", "[framework]") {
  std::set<std::string_view> names;
  for (const auto& spec : collector_catalog()) {
    CHECK(spec.collect != nullptr);
    CHECK(names.insert(spec.name).second);
    CHECK(spec.budget.cpu.count() > 0);
    CHECK(spec.budget.cpu <= 200ms);
    CHECK(spec.budget.heap_bytes <= 16u << 20);
  }
  CHECK(names.size() == collector_catalog().size());
}
