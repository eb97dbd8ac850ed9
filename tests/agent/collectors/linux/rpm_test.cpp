// The rpm collector: installed RPM packages via `rpm -qa`.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/rpm.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using triage::v1::CollectorStatus;
namespace v1 = triage::v1;

TEST_CASE("rpm: laptop packages with epochs", "[rpm][fixture][laptop]") {
  auto sw = testing::fixture_collect("laptop", "rpm").software();
  REQUIRE(sw.packages_size() == 7);
  CHECK(sw.packages(0).source() == v1::Package::RPM);
  CHECK(sw.packages(0).name() == "kernel-core");
  CHECK(sw.packages(5).version() == "1:3.2.1-2.fc40");
}

TEST_CASE("rpm: not run without an rpm database", "[rpm][fixture][desktop]") {
  auto snap = testing::fixture_collect("desktop", "rpm");
  CHECK(snap.software().packages_size() == 0);
  CHECK(testing::status_of(snap, "rpm").outcome() == CollectorStatus::UNAVAILABLE);
}

TEST_CASE("rpm: the parser survives hostile input", "[rpm][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_rpm_qa(input);
  SUCCEED();
}
