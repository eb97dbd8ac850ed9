// Debian version ordering, as dpkg compares versions.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/debian_version.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("Debian version ordering follows dpkg", "[debian_version][parsers]") {
  using Row = std::tuple<std::string, std::string, int>;
  auto [a, b, want] = GENERATE(
      Row{"1.0", "1.0", 0}, Row{"1.0", "1.1", -1}, Row{"1.10", "1.9", 1}, Row{"1.0~rc1", "1.0", -1},
      Row{"1:0.9", "2.0", 1}, Row{"2.35-0ubuntu3.8", "2.35-0ubuntu3.7", 1},
      Row{"3.0.2-0ubuntu1.15", "3.0.2-0ubuntu1.10", 1}, Row{"1.0a", "1.0", 1},
      Row{"1.0-1", "1.0-1+b1", -1}, Row{"5.1-6ubuntu1", "5.1-6ubuntu1.1", -1});
  CAPTURE(a, b);
  CHECK(compare_debian_versions(a, b) == want);
  CHECK(compare_debian_versions(b, a) == -want);
}

TEST_CASE("debian_version: comparison survives hostile input",
          "[debian_version][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) {
    (void)compare_debian_versions(input.substr(0, 200), "1.0");
  }
  SUCCEED();
}
