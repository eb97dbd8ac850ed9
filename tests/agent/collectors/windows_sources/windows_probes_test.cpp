// windows_probes: probes never run against a recorded machine (they would ask the network of
// the machine running the tests); the probing itself is tested in net_probe_test.cpp.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/network_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_probes: not run on a recorded machine", "[windows_probes][recorded]") {
  auto machine = GENERATE(as<std::string>{}, "win11-laptop", "server2022");
  CAPTURE(machine);
  auto snap = testing::recorded_collect(machine, "windows_probes");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
  CHECK(snap.collectors(0).message() ==
        "probes only run on the live machine, not under --sysroot or on a recorded one");
  CHECK(snap.network().probes_size() == 0);
}

TEST_CASE("windows_probes: not a Windows machine", "[windows_probes]") {
  SnapshotOptions options;
  options.sysroot = std::string(TRIAGE_FIXTURES_DIR) + "/sysroot/desktop";
  for (const auto& spec : windows_collector_catalog()) {
    if (spec.name != "windows_probes") continue;
    auto snap = SnapshotTaker(options, std::span<const CollectorSpec>(&spec, 1), nullptr).take();
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::UNAVAILABLE);
    CHECK(snap.network().probes_size() == 0);
  }
}
