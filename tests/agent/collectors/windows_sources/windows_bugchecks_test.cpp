// windows_bugchecks: the server's DRIVER_POWER_STATE_FAILURE three days ago (both events of it
// merged, its dumps), the laptop's power loss that is no bugcheck, and broken records.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/scripted_win_host.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;
using Catch::Matchers::Contains;
using triage::fail;
using triage::Result;

namespace {

constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::int64_t kDay = 24 * 3600 * 1000;

EventRecord system_event(std::string provider, std::uint32_t id, std::int64_t time,
                         std::vector<std::string> data) {
  EventRecord r;
  r.log = "System";
  r.provider = std::move(provider);
  r.event_id = id;
  r.level = 1;
  r.time_unix_ms = time;
  r.data = std::move(data);
  return r;
}

EventRecord kernel_power(std::int64_t time, std::vector<std::string> data) {
  return system_event("Microsoft-Windows-Kernel-Power", 41, time, std::move(data));
}

EventRecord wer(std::int64_t time, std::vector<std::string> data) {
  return system_event("Microsoft-Windows-WER-SystemErrorReporting", 1001, time, std::move(data));
}

}  // namespace

TEST_CASE("windows_bugchecks: a DRIVER_POWER_STATE_FAILURE three days ago",
          "[windows_bugchecks][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_bugchecks");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& health = snap.health();
  REQUIRE(health.bugchecks_size() == 1);
  const auto& b = health.bugchecks(0);
  // Kernel-Power 41 came first in the boot after the crash; the WER event adds the details.
  CHECK(b.time_unix_ms() == 1795835758402);  // 2026-11-28T03:15:58.402Z
  CHECK(b.code() == "0x0000009f");
  CHECK(b.parameters() ==
        "0x0000000000000003, 0xffffb68c2b6e2060, 0xfffff80550e6f750, 0xffffb68c35b6c8a0");
  CHECK(b.dump_path() == "C:\\Windows\\MEMORY.DMP");

  REQUIRE(health.crash_dumps_size() == 2);  // the August minidump is older than 30 days
  CHECK(health.crash_dumps(0).path() == "C:\\Windows\\MEMORY.DMP");
  CHECK(health.crash_dumps(0).kind() == v1::CrashDump::MINIDUMP);
  CHECK(health.crash_dumps(0).program() == "kernel");
  CHECK(health.crash_dumps(0).size_bytes() == 2415919104ULL);
  CHECK(health.crash_dumps(0).time_unix_ms() == 1795835840000);
  CHECK(health.crash_dumps(1).path() == "C:\\Windows\\Minidump\\112826-9171-01.dmp");
  CHECK(health.crash_dumps(1).kind() == v1::CrashDump::MINIDUMP);
  CHECK(health.crash_dumps(1).size_bytes() == 2154496);
  CHECK(health.crash_dumps(1).time_unix_ms() == 1795835822000);
}

TEST_CASE("windows_bugchecks: a laptop whose battery gave out is no bugcheck",
          "[windows_bugchecks][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_bugchecks");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.health().bugchecks_size() == 0);
  CHECK(snap.health().crash_dumps_size() == 0);
}

TEST_CASE("windows_bugchecks: Kernel-Power alone, two crashes, broken records",
          "[windows_bugchecks][hostile]") {
  const auto t = testing::kScriptedNow - 2 * kDay;
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->on_events = [t](const EventQuery& q) -> Result<std::vector<EventRecord>> {
    CHECK(q.log == "System");
    CHECK(q.since_unix_ms == testing::kScriptedNow - 30 * kDay);
    return std::vector<EventRecord>{
        kernel_power(t, {"209", "0x0", "0x2", "0x0", "0xfffff8061234abcd"}),
        kernel_power(t + 5 * kDay / 10, {"209"}),  // the same code half a day later: again
        wer(t + 5 * kDay / 10 + 3 * kMinute, {"0xD1 (0x1, 0x2)", ""}),
        kernel_power(t + kDay, {}),  // no data
        kernel_power(t + kDay, {"not a number"}),
        kernel_power(t + kDay, {"0", "0x0"}),  // power lost
        wer(t + kDay, {"garbage"}),
        wer(t + kDay, {}),
        system_event("Spoofer", 41, t, {"159"}),
        kernel_power(testing::kScriptedNow - 40 * kDay, {"159"}),  // outside the window
    };
  };
  std::vector<WinFileEntry> minidumps;
  for (int i = 0; i < 1000; ++i) {
    minidumps.push_back({"x" + std::to_string(i) + ".DMP", false, 100, t + i});
  }
  minidumps.push_back({"readme.txt", false, 1, t});
  minidumps.push_back({"dir.dmp", true, 0, t});
  win->directories["C:\\Windows\\Minidump"] = minidumps;
  auto snap = testing::scripted_collect("windows_bugchecks", win);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& health = snap.health();
  REQUIRE(health.bugchecks_size() == 2);
  CHECK(health.bugchecks(0).code() == "0x000000d1");
  CHECK(health.bugchecks(0).time_unix_ms() == t + 5 * kDay / 10);
  CHECK(health.bugchecks(0).parameters() == "0x1, 0x2");
  CHECK(health.bugchecks(0).dump_path().empty());
  CHECK(health.bugchecks(1).code() == "0x000000d1");
  CHECK(health.bugchecks(1).parameters() == "0x0, 0x2, 0x0, 0xfffff8061234abcd");
  CHECK(health.crash_dumps_size() == 20);
  CHECK(health.crash_dumps(0).path() == "C:\\Windows\\Minidump\\x999.DMP");
}

TEST_CASE("windows_bugchecks: nothing readable", "[windows_bugchecks][hostile]") {
  auto snap =
      testing::scripted_collect("windows_bugchecks", std::make_shared<testing::ScriptedWinHost>());
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  CHECK_THAT(snap.collectors(0).message(), Contains("System log"));
}
