// The probes collector: never run against a fixture machine.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/probes.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
using triage::v1::CollectorStatus;

TEST_CASE("probes: not run under a fixture tree", "[probes][fixture][desktop]") {
  auto snap = testing::fixture_collect("desktop", "probes");
  CHECK(snap.network().probes_size() == 0);
  CHECK(testing::status_of(snap, "probes").outcome() == CollectorStatus::UNAVAILABLE);
}
