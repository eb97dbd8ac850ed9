// Findings rules about memory: PSI pressure, low available memory, swap, OOM kills.
#include <catch2/catch.hpp>

#include "tests/collector/findings/snapshot_builders.hpp"

using namespace triage::collector;
using namespace triage::collector::testing;

TEST_CASE("memory.pressure: PSI some avg10 >= 20 or avg60 >= 10", "[findings][memory]") {
  auto s = empty_snapshot();
  auto* pressure = s.mutable_health()->mutable_pressure();
  *pressure->mutable_cpu_some() = stall(5, 5);
  SECTION("short burst in avg10") {
    *pressure->mutable_memory_some() = stall(20, 4, 1);
    auto f = findings_of(s, "memory.pressure");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].subject.empty());
  }
  SECTION("sustained in avg60, with the largest process as evidence") {
    *pressure->mutable_memory_some() = stall(12.5, 10, 3);
    *pressure->mutable_memory_full() = stall(2, 1, 0.5);
    add_process(s, 4242, "java", 5, 3 * kGiB);
    add_process(s, 100, "Xorg", 1, 200 * kMiB);
    auto f = findings_of(s, "memory.pressure");
    REQUIRE(f.size() == 1);
    CHECK(f[0].evidence ==
          "memory pressure (some) avg10 12.5 %, avg60 10.0 %, avg300 3.0 %; full avg10 2.0 %, "
          "avg60 1.0 %, avg300 0.5 %; largest process: java (pid 4242, user alice) 3.0 GiB "
          "resident");
    CHECK(f[0].suggested_actions == std::vector<std::string>{"kill-process"});
  }
  SECTION("just under both thresholds: nothing") {
    *pressure->mutable_memory_some() = stall(19.9F, 9.9F, 9);
    CHECK(findings_of(s, "memory.pressure").empty());
  }
  SECTION("critical when every task stalls (full avg60 >= 10)") {
    *pressure->mutable_memory_some() = stall(35, 25, 10);
    *pressure->mutable_memory_full() = stall(15, 10, 4);
    REQUIRE(findings_of(s, "memory.pressure").size() == 1);
    CHECK(findings_of(s, "memory.pressure")[0].severity == Severity::kCritical);
  }
  SECTION("critical when some avg60 >= 40") {
    *pressure->mutable_memory_some() = stall(50, 40, 10);
    CHECK(findings_of(s, "memory.pressure")[0].severity == Severity::kCritical);
  }
  SECTION("no memory PSI line (kernel without PSI): nothing") {
    CHECK(findings_of(s, "memory.pressure").empty());
    s.mutable_health()->clear_pressure();
    CHECK(findings_of(s, "memory.pressure").empty());
  }
}

TEST_CASE("memory.low: available below 5 % or 200 MiB", "[findings][memory]") {
  auto s = empty_snapshot();
  SECTION("below 5 % on a large machine") {
    set_memory(s, 16 * kGiB, 800 * kMiB, 2 * kGiB, kGiB);
    auto f = findings_of(s, "memory.low");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Low memory: 800.0 MiB available");
    CHECK(f[0].evidence ==
          "memory available 800.0 MiB of 16.0 GiB (4.9 %); swap 1.0 GiB of 2.0 GiB used");
    CHECK(f[0].suggested_actions.empty());  // no process list reported
  }
  SECTION("below 200 MiB on a small machine, even though 10 % is free") {
    set_memory(s, 1536 * kMiB, 150 * kMiB);
    auto f = findings_of(s, "memory.low");
    REQUIRE(f.size() == 1);
    CHECK(f[0].evidence.ends_with("; no swap"));
  }
  SECTION("just above both bounds: nothing") {
    set_memory(s, 8 * kGiB, 420 * kMiB);  // 5.1 %
    CHECK(findings_of(s, "memory.low").empty());
    set_memory(s, 2 * kGiB, 201 * kMiB);  // 9.8 % and > 200 MiB
    CHECK(findings_of(s, "memory.low").empty());
  }
  SECTION("critical below 2 % or 64 MiB") {
    set_memory(s, 16 * kGiB, 300 * kMiB);  // 1.8 %
    CHECK(findings_of(s, "memory.low")[0].severity == Severity::kCritical);
    set_memory(s, 1 * kGiB, 60 * kMiB);
    CHECK(findings_of(s, "memory.low")[0].severity == Severity::kCritical);
  }
  SECTION("memory not reported (meminfo collector failed): nothing") {
    CHECK(findings_of(s, "memory.low").empty());
    s.mutable_hardware()->mutable_memory();  // present but empty: total 0
    CHECK(findings_of(s, "memory.low").empty());
  }
}

TEST_CASE("memory.swap_heavy: swap at least 80 % used", "[findings][memory]") {
  auto s = empty_snapshot();
  SECTION("fires") {
    set_memory(s, 8 * kGiB, 4 * kGiB, 2 * kGiB, 400 * kMiB);
    auto f = findings_of(s, "memory.swap_heavy");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Swap 80 % used");
    CHECK(f[0].evidence ==
          "swap 1.6 GiB of 2.0 GiB used (80.5 %); memory available 4.0 GiB of 8.0 GiB");
  }
  SECTION("just under: nothing") {
    set_memory(s, 8 * kGiB, 4 * kGiB, 10 * kGiB, 2049 * kMiB);  // 79.99 %
    CHECK(findings_of(s, "memory.swap_heavy").empty());
  }
  SECTION("no swap configured: nothing") {
    set_memory(s, 8 * kGiB, 4 * kGiB);
    CHECK(findings_of(s, "memory.swap_heavy").empty());
  }
}

TEST_CASE("memory.oom_kills: the kernel killed processes for memory", "[findings][memory]") {
  auto s = empty_snapshot();
  auto& log = readable_kernel_log(s);
  SECTION("one kill is a warning naming the victim") {
    log.set_oom_kills(1);
    add_kernel_event(s, triage::v1::KernelEvent::OOM_KILL).set_process("firefox");
    auto f = findings_of(s, "memory.oom_kills");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::kWarning);
    CHECK(f[0].title == "Out of memory: kernel killed 1 process");
    CHECK(f[0].evidence == "kernel log since boot: 1 out-of-memory kills; killed: firefox");
  }
  SECTION("five kills are critical") {
    log.set_oom_kills(5);
    CHECK(findings_of(s, "memory.oom_kills")[0].severity == Severity::kCritical);
  }
  SECTION("no kills: nothing") { CHECK(findings_of(s, "memory.oom_kills").empty()); }
  SECTION("kernel log unreadable: nothing") {
    log.set_readable(false);
    log.set_oom_kills(3);
    CHECK(findings_of(s, "memory.oom_kills").empty());
  }
}
