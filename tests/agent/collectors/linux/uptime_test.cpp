// The uptime collector: boot time from /proc/stat.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/uptime.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;

TEST_CASE("uptime: desktop boot time", "[uptime][fixture][desktop]") {
  auto snap = testing::fixture_collect("desktop", "uptime");
  CHECK(snap.system().boot_time_unix_ms() == 1717990000000);
}

TEST_CASE("uptime: btime line of /proc/stat", "[uptime][parsers]") {
  CHECK(parse_boot_time("cpu  1 2 3 4\nbtime 1717990000\nprocesses 42\n") == 1717990000);
  CHECK_FALSE(parse_boot_time("cpu  1 2 3 4\n").has_value());
  CHECK_FALSE(parse_boot_time("btime soon\n").has_value());
}

TEST_CASE("uptime: the parser survives hostile input", "[uptime][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_boot_time(input);
  SUCCEED();
}
