// The kernel_log collector: events of interest in /dev/kmsg.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/kernel_log.hpp"
#include "tests/agent/collectors/fixture_support.hpp"
#include "tests/agent/collectors/linux/hostile_inputs.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("kernel_log: desktop OOM kill, I/O and filesystem errors, segfault",
          "[kernel_log][fixture][desktop]") {
  auto h = testing::fixture_collect("desktop", "kernel_log").health();
  const auto& log = h.kernel_log();
  CHECK(log.readable());
  CHECK(log.oom_kills() == 1);
  CHECK(log.io_errors() == 2);
  CHECK(log.fs_errors() == 1);
  CHECK(log.segfaults() == 1);
  REQUIRE(log.recent_size() == 5);
  CHECK(log.recent(0).kind() == v1::KernelEvent::OOM_KILL);
  CHECK(log.recent(0).process() == "chrome");
  CHECK(log.recent(0).time_unix_ms() == 1717990000000 + 5123);
  CHECK(log.recent(1).device() == "sdb");
  CHECK(log.recent(3).process() == "firefox");
}

TEST_CASE("kernel_log: laptop OOM kills", "[kernel_log][fixture][laptop]") {
  auto h = testing::fixture_collect("laptop", "kernel_log").health();
  CHECK(h.kernel_log().oom_kills() == 2);
  CHECK(h.kernel_log().recent(0).process() == "java");
}

TEST_CASE("kernel_log: server I/O error and hung task", "[kernel_log][fixture][server]") {
  auto h = testing::fixture_collect("server-raid", "kernel_log").health();
  CHECK(h.kernel_log().io_errors() == 1);
  CHECK(h.kernel_log().hung_tasks() == 1);
  CHECK(h.kernel_log().recent(1).process() == "jbd2/md0-8");
}

TEST_CASE("kernel_log: unreadable in a container", "[kernel_log][fixture][container]") {
  CHECK_FALSE(testing::fixture_collect("container", "kernel_log").health().kernel_log().readable());
}

TEST_CASE("kernel_log: the parser survives hostile input", "[kernel_log][parsers][robustness]") {
  for (const auto& input : testing::hostile_inputs()) (void)parse_kmsg(input);
  SUCCEED();
}
