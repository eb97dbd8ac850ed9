#include <catch2/catch.hpp>

#include "shared/protocol/version.hpp"

using triage::protocol::negotiate_version;

TEST_CASE("version negotiation picks the highest common version") {
  CHECK(negotiate_version(1, 1, 1, 1).value() == 1);
  CHECK(negotiate_version(1, 5, 2, 3).value() == 3);
  CHECK(negotiate_version(3, 9, 1, 4).value() == 4);
}

TEST_CASE("no common version is a refusal that says who must upgrade") {
  auto newer_agent = negotiate_version(5, 6, 1, 4);
  REQUIRE_FALSE(newer_agent);
  CHECK_THAT(newer_agent.error().message, Catch::Contains("upgrade the collector"));
  auto older_agent = negotiate_version(1, 1, 2, 3);
  REQUIRE_FALSE(older_agent);
  CHECK_THAT(older_agent.error().message, Catch::Contains("upgrade the agent"));
}

TEST_CASE("nonsense ranges are refused") {
  CHECK_FALSE(negotiate_version(0, 0));
  CHECK_FALSE(negotiate_version(3, 2));
}
