// The time_sync collector: the kernel's clock discipline and the time daemon.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/time_sync.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;

TEST_CASE("time_sync: desktop synchronised by timesyncd", "[time_sync][fixture][desktop]") {
  auto s = testing::fixture_collect("desktop", "time_sync").system();
  CHECK(s.time_sync().synchronized());
  CHECK(s.time_sync().offset_ms() == Approx(0.25));
  CHECK(s.time_sync().service() == "systemd-timesyncd");
}

TEST_CASE("time_sync: laptop off by 1.5 s under chronyd", "[time_sync][fixture][laptop]") {
  auto s = testing::fixture_collect("laptop", "time_sync").system();
  CHECK_FALSE(s.time_sync().synchronized());
  CHECK(s.time_sync().offset_ms() == Approx(-1520.0));
  CHECK(s.time_sync().service() == "chronyd");
}
