// The kernel collector: hostname, kernel, architecture and machine id of each fixture machine.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/kernel.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;

TEST_CASE("kernel: desktop identity", "[kernel][fixture][desktop]") {
  auto snap = testing::fixture_collect("desktop", "kernel");
  const auto& s = snap.system();
  CHECK(s.hostname() == "ws-acct-042");
  CHECK(s.kernel_release() == "6.5.0-35-generic");
  CHECK(s.arch() == "x86_64");
  CHECK(s.machine_id() == "5f1c8a6e0b6d4b7c9a3e2d1f0c9b8a76");
}

TEST_CASE("kernel: server host name", "[kernel][fixture][server]") {
  auto snap = testing::fixture_collect("server-raid", "kernel");
  CHECK(snap.system().hostname() == "fs01");
}

TEST_CASE("kernel: every fixture machine has a host name and a kernel release",
          "[kernel][fixture]") {
  auto machine = GENERATE(as<std::string>{}, "desktop", "laptop", "server-raid", "container");
  CAPTURE(machine);
  auto k = read_kernel_identity(triage::FsRoot(testing::fixture_root(machine)));
  CHECK_FALSE(k.hostname.empty());
  CHECK_FALSE(k.release.empty());
}
