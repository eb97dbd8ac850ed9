// The dpkg collector: installed Debian packages from the dpkg database.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/dpkg.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;
using triage::v1::CollectorStatus;
namespace v1 = triage::v1;

TEST_CASE("dpkg: desktop packages, half-configured kept, removed left out",
          "[dpkg][fixture][desktop]") {
  auto sw = testing::fixture_collect("desktop", "dpkg").software();
  REQUIRE(sw.packages_size() == 9);  // removed package with config files left out
  const auto* libc_i386 =
      find_if(sw.packages(), [](auto& p) { return p.name() == "libc6" && p.arch() == "i386"; });
  REQUIRE(libc_i386);
  CHECK(libc_i386->version() == "2.35-0ubuntu3.7");
  CHECK(libc_i386->source() == v1::Package::DPKG);
  const auto* broken = find_if(sw.packages(), [](auto& p) { return p.name() == "brokenpkg"; });
  REQUIRE(broken);
  CHECK(broken->state() == "half-configured");
  CHECK_FALSE(find_if(sw.packages(), [](auto& p) { return p.name() == "oldtool"; }));
}

TEST_CASE("dpkg: absent on an RPM laptop", "[dpkg][fixture][laptop]") {
  auto snap = testing::fixture_collect("laptop", "dpkg");
  CHECK(testing::status_of(snap, "dpkg").outcome() == CollectorStatus::UNAVAILABLE);
}

TEST_CASE("dpkg: container packages", "[dpkg][fixture][container]") {
  CHECK(testing::fixture_collect("container", "dpkg").software().packages_size() == 3);
}

TEST_CASE("dpkg: the parser survives hostile input", "[dpkg][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_dpkg_status(input);
  SUCCEED();
}
