// The apt_updates collector: pending and security updates from apt's update lists.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/apt_updates.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
using testing::find_if;

TEST_CASE("apt_updates: desktop pending and security updates", "[apt_updates][fixture][desktop]") {
  auto sw = testing::fixture_collect("desktop", "apt_updates").software();
  const auto& up = sw.updates();
  CHECK(up.manager() == "apt");
  CHECK(up.pending_count() == 4);
  CHECK(up.security_count() == 3);
  CHECK(up.complete());
  const auto* openssl = find_if(up.pending(), [](auto& u) { return u.name() == "openssl"; });
  REQUIRE(openssl);
  CHECK(openssl->installed_version() == "3.0.2-0ubuntu1.10");
  CHECK(openssl->candidate_version() == "3.0.2-0ubuntu1.15");
  CHECK(openssl->security());
  CHECK(openssl->suite() == "jammy-security");
  const auto* tz = find_if(up.pending(), [](auto& u) { return u.name() == "tzdata"; });
  REQUIRE(tz);
  CHECK_FALSE(tz->security());
  CHECK(tz->arch() == "all");
  CHECK_FALSE(
      find_if(up.pending(), [](auto& u) { return u.name() == "bash"; }));  // older candidate
}

TEST_CASE("apt_updates: the Packages parser survives hostile input",
          "[apt_updates][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_packages_list(input);
  SUCCEED();
}
