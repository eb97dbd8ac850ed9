// The timezone collector on every fixture machine.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/timezone.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;

TEST_CASE("timezone: each fixture machine's zone", "[timezone][fixture]") {
  using Row = std::pair<std::string, std::string>;
  auto [machine, zone] = GENERATE(Row{"desktop", "Europe/Paris"}, Row{"laptop", "America/New_York"},
                                  Row{"server-raid", "Etc/UTC"}, Row{"container", "UTC"});
  CAPTURE(machine);
  CHECK(testing::fixture_collect(machine, "timezone").system().timezone() == zone);
}

TEST_CASE("timezone: zone from the /etc/localtime link", "[timezone][parsers]") {
  CHECK(zone_from_localtime_link("/usr/share/zoneinfo/Europe/Paris") == "Europe/Paris");
  CHECK(zone_from_localtime_link("../usr/share/zoneinfo/America/New_York") == "America/New_York");
  CHECK(zone_from_localtime_link("/usr/share/zoneinfo/posix/Asia/Tokyo") == "Asia/Tokyo");
  CHECK(zone_from_localtime_link("/etc/some-other-file").empty());
}
