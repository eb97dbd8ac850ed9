// The pressure collector: load average and pressure stall information.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/pressure.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("pressure: desktop load and pressure", "[pressure][fixture][desktop]") {
  auto h = testing::fixture_collect("desktop", "pressure").health();
  CHECK(h.load().load1() == Approx(0.52));
  CHECK(h.load().load15() == Approx(0.70));
  CHECK(h.load().runnable() == 2);
  CHECK(h.load().cpu_count() == 4);
  CHECK(h.pressure().cpu_some().avg10() == Approx(1.20f));
  CHECK(h.pressure().memory_full().avg60() == Approx(0.02f));
  CHECK(h.pressure().io_some().total_us() == 98765432u);
  CHECK(h.pressure().io_full().avg300() == Approx(0.30f));
}

TEST_CASE("pressure: laptop memory pressure", "[pressure][fixture][laptop]") {
  auto h = testing::fixture_collect("laptop", "pressure").health();
  CHECK(h.pressure().memory_some().avg10() == Approx(35.1f));
  CHECK_FALSE(h.pressure().has_cpu_some());
}

TEST_CASE("pressure: a container without PSI", "[pressure][fixture][container]") {
  CHECK_FALSE(testing::fixture_collect("container", "pressure").health().has_pressure());
}

TEST_CASE("parse_pressure reads some and full lines", "[pressure][parsers]") {
  auto psi = parse_pressure("some avg10=5.00 avg60=4.00 avg300=3.00 total=42\n");
  REQUIRE(psi.some.has_value());
  CHECK(psi.some->avg10() == Approx(5.0f));
  CHECK(psi.some->total_us() == 42);
  CHECK_FALSE(psi.full.has_value());
}

TEST_CASE("pressure: the parsers survive hostile input", "[pressure][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) {
    (void)parse_loadavg(input);
    (void)parse_pressure(input);
  }
  SUCCEED();
}
