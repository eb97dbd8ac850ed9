// The journal collector: error counts per unit over the last 24 hours.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/journal.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("journal: desktop errors per unit, most first", "[journal][fixture][desktop]") {
  auto h = testing::fixture_collect("desktop", "journal").health();
  CHECK(h.journal().available());
  CHECK(h.journal().total() == 9);
  REQUIRE(h.journal().units_size() == 4);
  CHECK(h.journal().units(0).unit() == "snapd.service");
  CHECK(h.journal().units(0).count() == 5);
  CHECK(h.journal().units(1).unit() == "NetworkManager.service");
}

TEST_CASE("journal: the counter survives hostile input", "[journal][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)count_journal_errors(input);
  SUCCEED();
}
