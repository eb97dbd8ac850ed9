// windows_programs: the Uninstall keys of both views and the user hives, on both recorded
// machines; hidden entries, updates, duplicates and hostile values.
#include <catch2/catch.hpp>

#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/software_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

const v1::Package* find(const v1::Snapshot& snap, const std::string& name,
                        const std::string& arch) {
  for (const auto& p : snap.software().packages()) {
    if (p.name() == name && p.arch() == arch) return &p;
  }
  return nullptr;
}

int count_named(const v1::Snapshot& snap, const std::string& name) {
  int n = 0;
  for (const auto& p : snap.software().packages()) n += p.name() == name ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("windows_programs: the laptop's programs of both views and Maria's Entra ID hive",
          "[windows_programs][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_programs");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.collectors(0).message().empty());
  CHECK(snap.software().packages_size() == 25);
  for (const auto& p : snap.software().packages())
    CHECK(p.source() == v1::Package::WINDOWS_PROGRAM);

  auto* office = find(snap, "Microsoft 365 Apps for enterprise - en-us", "x64");
  REQUIRE(office);
  CHECK(office->version() == "16.0.17928.20156");
  CHECK(office->publisher() == "Microsoft Corporation");
  CHECK(office->installed_unix_ms() == 0);  // Click-to-Run writes no InstallDate
  CHECK_FALSE(office->has_size_bytes());

  auto* acrobat = find(snap, "Adobe Acrobat (64-bit)", "x64");
  REQUIRE(acrobat);
  CHECK(acrobat->version() == "24.005.20320");
  CHECK(acrobat->installed_unix_ms() == 1791936000000);  // 2026-10-14
  CHECK(acrobat->size_bytes() == 0x18a57eULL * 1024);

  // Chrome registers in the 32-bit view, whatever its bitness.
  auto* chrome = find(snap, "Google Chrome", "x86");
  REQUIRE(chrome);
  CHECK(chrome->version() == "131.0.6778.86");
  CHECK(chrome->publisher() == "Google LLC");
  CHECK(chrome->installed_unix_ms() == 1794960000000);  // 2026-11-18
  CHECK_FALSE(find(snap, "Google Chrome", "x64"));

  // The VC++ redistributables: bundles in the 32-bit view, an older runtime in the 64-bit one.
  CHECK(find(snap, "Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.40.33810", "x86"));
  CHECK(find(snap, "Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.40.33810", "x86"));
  CHECK(find(snap, "Microsoft Visual C++ 2013 x64 Additional Runtime - 12.0.21005", "x64"));
  CHECK(find(snap, "Microsoft Visual C++ 2010  x64 Redistributable - 10.0.40219", "x64"));
  CHECK(find(snap, "Microsoft Teams Meeting Add-in for Microsoft Office", "x86"));
  // SystemComponent=0 is a program like any other.
  CHECK(find(snap, "Microsoft Intune Management Extension", "x64"));

  // Hidden: system components, keys without a name, updates of another entry.
  CHECK_FALSE(find(snap, "Office 16 Click-to-Run Extensibility Component", "x64"));
  CHECK_FALSE(find(snap, "Microsoft Visual C++ 2022 X64 Minimum Runtime - 14.40.33810", "x64"));
  CHECK_FALSE(find(snap, "Microsoft Visual C++ 2022 X86 Minimum Runtime - 14.40.33810", "x86"));
  CHECK(count_named(snap,
                    "Security Update for Microsoft Visual C++ 2010  x64 Redistributable "
                    "(KB2565063)") == 0);
  for (const auto& p : snap.software().packages()) CHECK_FALSE(p.name().empty());

  // Lenovo Vantage twice in one view: the newer version is the installed one.
  CHECK(count_named(snap, "Lenovo Vantage Service") == 1);
  auto* vantage = find(snap, "Lenovo Vantage Service", "x86");
  REQUIRE(vantage);
  CHECK(vantage->version() == "4.0.66.0");
  CHECK(vantage->publisher() == "Lenovo Group Ltd.");    // vendor padding trimmed
  CHECK(vantage->installed_unix_ms() == 1789948800000);  // 2026-09-21

  // Awkward values: a trailing blank in the name, an empty and a foreign InstallDate.
  auto* cisco = find(snap, "Cisco Secure Client - AnyConnect VPN", "x86");
  REQUIRE(cisco);
  CHECK(cisco->version() == "5.1.4.74");
  auto* realtek = find(snap, "Realtek Audio Driver", "x86");
  REQUIRE(realtek);
  CHECK(realtek->installed_unix_ms() == 0);
  auto* synaptics = find(snap, "Synaptics Pointing Device Driver", "x86");
  REQUIRE(synaptics);
  CHECK(synaptics->installed_unix_ms() == 0);

  // Per-user installs from the Entra ID user's hive (S-1-12-1-...).
  auto* zoom = find(snap, "Zoom Workplace", "user");
  REQUIRE(zoom);
  CHECK(zoom->version() == "6.2.11 (53234)");
  CHECK(zoom->publisher() == "Zoom Video Communications, Inc.");
  CHECK(zoom->installed_unix_ms() == 1790985600000);  // 2026-10-03
  CHECK(zoom->size_bytes() == 0x3f7a2ULL * 1024);
  CHECK(find(snap, "Microsoft OneDrive", "user"));
  CHECK(find(snap, "Spotify", "user"));
}

TEST_CASE("windows_programs: the server's SQL Server, Dell tools and an admin's own install",
          "[windows_programs][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_programs");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.software().packages_size() == 18);

  auto* sql = find(snap, "Microsoft SQL Server 2019 (64-bit)", "x64");
  REQUIRE(sql);
  CHECK(sql->version().empty());
  CHECK(sql->publisher() == "Microsoft Corporation");
  auto* engine = find(snap, "SQL Server 2019 Database Engine Services", "x64");
  REQUIRE(engine);
  CHECK(engine->version() == "15.0.2000.5");
  CHECK(engine->installed_unix_ms() == 1647302400000);  // 2022-03-15
  // The SQL Server cumulative update is an update of the entry above, not a program.
  CHECK(count_named(snap, "Hotfix 4385 for SQL Server 2019 (KB5040948) (64-bit)") == 0);

  auto* omsa = find(snap, "Dell OpenManage Server Administrator", "x64");
  REQUIRE(omsa);
  CHECK(omsa->version() == "11.0.1.0");
  CHECK(omsa->publisher() == "Dell Inc.");
  CHECK(find(snap, "iDRAC Service Module", "x64"));
  CHECK(find(snap, "Dell System Update", "x86"));
  auto* zip = find(snap, "7-Zip 23.01 (x64)", "x64");
  REQUIRE(zip);
  CHECK(zip->installed_unix_ms() == 0);
  CHECK(zip->size_bytes() == 0x166aULL * 1024);
  CHECK(find(snap, "Microsoft SQL Server Management Studio - 20.2", "x86"));
  CHECK(find(snap, "Microsoft Visual C++ 2013 Redistributable (x64) - 12.0.40664", "x86"));
  CHECK_FALSE(find(snap, "Microsoft Visual C++ 2019 X64 Minimum Runtime - 14.29.30139", "x64"));

  // The domain administrator's hive (S-1-5-21-...), not its _Classes companion.
  auto* code = find(snap, "Microsoft Visual Studio Code (User)", "user");
  REQUIRE(code);
  CHECK(code->version() == "1.95.3");
  CHECK(code->installed_unix_ms() == 1793750400000);  // 2026-11-04
}

TEST_CASE("windows_programs: no Uninstall key at all is an error", "[windows_programs]") {
  testing::ScratchMachine m;
  m.write("registry/other.reg",
          "Windows Registry Editor Version 5.00\n\n[HKLM\\SOFTWARE\\Vendor]\n\"A\"=\"b\"\n");
  auto snap = m.collect("windows_programs");
  CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("Uninstall"));
}

TEST_CASE("windows_programs: hostile values are bounded and never crash", "[windows_programs]") {
  testing::ScratchMachine m;
  const std::string key = "[HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\";
  std::string reg = "Windows Registry Editor Version 5.00\n\n";
  reg += key + "Long]\n\"DisplayName\"=\"" + std::string(5000, 'A') + "\"\n";
  reg += "\"DisplayVersion\"=dword:00000007\n\"InstallDate\"=\"20261399\"\n";
  reg += "\"EstimatedSize\"=\"lots\"\n\n";
  reg += key + "Numbered]\n\"DisplayName\"=dword:0000002a\n\"SystemComponent\"=\"1\"\n\n";
  reg += key + "Versions1]\n\"DisplayName\"=\"Tool\"\n\"DisplayVersion\"=\"1.10.0\"\n\n";
  reg +=
      key +
      "Versions2]\n\"DisplayName\"=\"Tool\"\n\"DisplayVersion\"=\"1.9.99999999999999999999\"\n\n";
  m.write("registry/programs.reg", reg);
  auto snap = m.collect("windows_programs");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  REQUIRE(snap.software().packages_size() == 2);
  for (const auto& p : snap.software().packages()) {
    CHECK(p.name().size() <= 256);
    CHECK(p.installed_unix_ms() == 0);
    CHECK_FALSE(p.has_size_bytes());
  }
  CHECK(find(snap, "Tool", "x64")->version() == "1.10.0");
}

TEST_CASE("windows_programs: a machine with thousands of entries is capped", "[windows_programs]") {
  testing::ScratchMachine m;
  std::string reg = "Windows Registry Editor Version 5.00\n\n";
  for (int i = 0; i < 5100; ++i) {
    reg += "[HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\App" +
           std::to_string(i) + "]\n\"DisplayName\"=\"App " + std::to_string(i) + "\"\n\n";
  }
  m.write("registry/programs.reg", reg);
  auto snap = m.collect("windows_programs");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK(snap.software().packages_size() == 5000);
  CHECK_THAT(snap.collectors(0).message(), Catch::Contains("capped"));
}
