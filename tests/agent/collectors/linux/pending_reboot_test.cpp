// The pending_reboot collector: reboot-required flags and a removed running kernel.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/pending_reboot.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;

TEST_CASE("pending_reboot: desktop after package updates", "[pending_reboot][fixture][desktop]") {
  auto s = testing::fixture_collect("desktop", "pending_reboot").system();
  CHECK(s.pending_reboot().required());
  REQUIRE(s.pending_reboot().reasons_size() == 1);
  CHECK(s.pending_reboot().reasons(0) == "/var/run/reboot-required present");
  CHECK(std::vector<std::string>(s.pending_reboot().packages().begin(),
                                 s.pending_reboot().packages().end()) ==
        std::vector<std::string>{"linux-image-6.5.0-41-generic", "libc6"});
}

TEST_CASE("pending_reboot: laptop needs none", "[pending_reboot][fixture][laptop]") {
  CHECK_FALSE(
      testing::fixture_collect("laptop", "pending_reboot").system().pending_reboot().required());
}

TEST_CASE("pending_reboot: server runs a kernel no longer installed",
          "[pending_reboot][fixture][server]") {
  auto s = testing::fixture_collect("server-raid", "pending_reboot").system();
  CHECK(s.pending_reboot().required());
  CHECK(s.pending_reboot().reasons(0) == "running kernel 6.1.0-18-amd64 is no longer installed");
}
