// The crash_dumps collector: apport, systemd-coredump and kdump reports.
#include <catch2/catch.hpp>

#include "agent/collectors/linux/crash_dumps.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
using testing::find_if;
namespace v1 = triage::v1;

TEST_CASE("crash_dumps: desktop apport report and core dump", "[crash_dumps][fixture][desktop]") {
  auto h = testing::fixture_collect("desktop", "crash_dumps").health();
  REQUIRE(h.crash_dumps_size() == 2);
  const auto* apport =
      find_if(h.crash_dumps(), [](auto& c) { return c.kind() == v1::CrashDump::APPORT; });
  REQUIRE(apport);
  CHECK(apport->program() == "/usr/bin/firefox");
  const auto* core =
      find_if(h.crash_dumps(), [](auto& c) { return c.kind() == v1::CrashDump::SYSTEMD_COREDUMP; });
  REQUIRE(core);
  CHECK(core->program() == "gnome-shell");
}
