// windows_pending_reboot: a laptop waiting 9 days for its restart after updates, a server with
// nothing pending (an empty PendingFileRenameOperations), and the other flags.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/scratch_machine_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

TEST_CASE("windows_pending_reboot: updates waiting since 2026-11-22",
          "[windows_pending_reboot][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_pending_reboot");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& pending = snap.system().pending_reboot();
  CHECK(pending.required());
  REQUIRE(pending.reasons_size() == 2);
  CHECK_THAT(pending.reasons(0), Catch::StartsWith("Component Based Servicing"));
  CHECK_THAT(pending.reasons(1), Catch::StartsWith("Windows Update"));
  // The servicing stack's flag, written 1 min 27 s before Windows Update's.
  CHECK(pending.since_unix_ms() == 1795317160000);  // 2026-11-22T03:12:40Z
  CHECK((snap.collected_at_unix_ms() - pending.since_unix_ms()) / 86400000 == 9);
}

TEST_CASE("windows_pending_reboot: nothing pending on the server",
          "[windows_pending_reboot][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_pending_reboot");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& pending = snap.system().pending_reboot();
  CHECK_FALSE(pending.required());
  CHECK(pending.reasons_size() == 0);
  CHECK_FALSE(pending.has_since_unix_ms());
}

TEST_CASE("windows_pending_reboot: files, a rename and a domain join", "[windows_pending_reboot]") {
  testing::ScratchMachine m("server2022");
  m.write("registry/zz.reg",
          "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager]\n"
          "@lastwrite=2026-11-30T18:00:00Z\n"
          "\"PendingFileRenameOperations\"=multi:\"\\\\??\\\\C:\\\\Program "
          "Files\\\\Agent\\\\a.dll.new\","
          "\"!\\\\??\\\\C:\\\\Program "
          "Files\\\\Agent\\\\a.dll\",\"\\\\??\\\\C:\\\\Temp\\\\old.tmp\",\"\"\n"
          "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\n"
          "@lastwrite=2026-11-30T17:00:00Z\n"
          "\"ComputerName\"=\"FS-BERLIN-02\"\n"
          "[HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\JoinDomain]\n"
          "@lastwrite=2026-11-30T17:05:00Z\n"
          "[HKLM\\SOFTWARE\\Microsoft\\Updates]\n"
          "\"UpdateExeVolatile\"=dword:00000001\n");
  auto snap = m.collect("windows_pending_reboot");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& pending = snap.system().pending_reboot();
  CHECK(pending.required());
  std::vector<std::string> reasons(pending.reasons().begin(), pending.reasons().end());
  REQUIRE(reasons.size() == 4);
  CHECK_THAT(reasons[0], Catch::Contains("UpdateExeVolatile"));
  CHECK(reasons[1] == "PendingFileRenameOperations: 2 files to replace or delete at boot");
  CHECK(reasons[2] == "computer rename: FS-BERLIN-01 becomes FS-BERLIN-02");
  CHECK_THAT(reasons[3], Catch::StartsWith("domain join"));
  CHECK(pending.since_unix_ms() == 1796058000000);  // the rename, 2026-11-30T17:00:00Z
}

TEST_CASE("windows_pending_reboot: values of the wrong type", "[windows_pending_reboot]") {
  testing::ScratchMachine m("server2022");
  // A string where a MULTI_SZ belongs, text where a DWORD belongs.
  m.write("registry/zz.reg",
          "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager]\n"
          "\"PendingFileRenameOperations\"=\"C:\\\\x\"\n"
          "\"PendingFileRenameOperations2\"=dword:00000003\n"
          "[HKLM\\SOFTWARE\\Microsoft\\Updates]\n"
          "\"UpdateExeVolatile\"=\"yes\"\n");
  auto snap = m.collect("windows_pending_reboot");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_FALSE(snap.system().pending_reboot().required());
}
