// windows_processes: the process answer on both recorded machines (CPU over the sampling
// window, working sets, owners, redacted command lines), the command line's Windows splitting
// rules, and hostile answers.
#include <catch2/catch.hpp>

#include "agent/collectors/windows_sources/windows_command_line.hpp"
#include "tests/agent/collectors/windows_sources/recorded_machine_support.hpp"
#include "tests/agent/collectors/windows_sources/software_test_support.hpp"

using namespace triage::agent;
namespace v1 = triage::v1;

namespace {

const v1::Process* find(const v1::Snapshot& snap, std::uint32_t pid) {
  for (const auto& p : snap.software().top_processes()) {
    if (p.pid() == pid) return &p;
  }
  return nullptr;
}

using Args = std::vector<std::string>;

}  // namespace

TEST_CASE("windows command lines split as CommandLineToArgvW does", "[windows_processes]") {
  CHECK(split_windows_command_line("") == Args{});
  CHECK(split_windows_command_line("  notepad.exe  a.txt ") == Args{"notepad.exe", "a.txt"});
  CHECK(split_windows_command_line(R"("C:\Program Files\App\app.exe" --x "a b" c)") ==
        Args{R"(C:\Program Files\App\app.exe)", "--x", "a b", "c"});
  // The program name takes no escapes; arguments do.
  CHECK(split_windows_command_line(R"(C:\dir\a.exe C:\dir\ "x\"y" a\\\"b "a\\" z)") ==
        Args{R"(C:\dir\a.exe)", R"(C:\dir\)", R"(x"y)", R"(a\"b)", R"(a\)", "z"});
  CHECK(split_windows_command_line(R"(a.exe "he said ""hi""" "unclosed arg)") ==
        Args{"a.exe", R"(he said "hi")", "unclosed arg"});
  CHECK(split_windows_command_line(R"("unclosed program)") == Args{"unclosed program"});
}

TEST_CASE("windows command lines are redacted argument by argument", "[windows_processes]") {
  CHECK(
      redact_windows_command_line(R"("C:\Program Files\SQL\sqlcmd.exe" -S db -U sa -P "Pa ss")") ==
      R"("C:\Program Files\SQL\sqlcmd.exe" -S db -U sa -P [REDACTED])");
  // The laptop's logon script, as recorded (net.exe idles, so it is not among the top).
  CHECK(
      redact_windows_command_line(
          R"(net  use S: \\fs-berlin-01.corp.example.com\sales Sommer2026! /user:CORP\maria.keller /persistent:yes)") ==
      R"(net use S: \\fs-berlin-01.corp.example.com\sales [REDACTED] /user:CORP\maria.keller /persistent:yes)");
  CHECK(redact_windows_command_line("app.exe --password=hunter2 --user=x") ==
        "app.exe --password=[REDACTED] --user=x");
  auto long_line = redact_windows_command_line("app.exe " + std::string(2000, 'x'), 100);
  CHECK(long_line.size() == 100);
  CHECK(long_line.ends_with("..."));
}

TEST_CASE("windows_processes: the laptop's busiest and largest processes",
          "[windows_processes][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_processes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sw = snap.software();
  CHECK(sw.process_summary().total() == 47);
  CHECK(sw.process_summary().sample_ms() == 251);
  CHECK(sw.process_summary().threads() > 1000);

  // Busiest first: a Chrome tab over the 251 ms window.
  REQUIRE(sw.top_processes_size() > 15);
  const auto& tab = sw.top_processes(0);
  CHECK(tab.pid() == 10244);
  CHECK(tab.ppid() == 9120);
  CHECK(tab.name() == "chrome.exe");
  CHECK(tab.user() == "AzureAD\\MariaKeller");
  CHECK(tab.cpu_percent() == Approx(18.3).epsilon(0.001));
  CHECK(tab.cpu_time_ms() == 522000);
  CHECK(tab.rss_bytes() == 687236710);
  CHECK(tab.memory_percent() == Approx(100.0 * 687236710 / 34148073472.0));
  CHECK(tab.threads() == 24);
  CHECK(tab.start_time_unix_ms() == 1796126400000 - 7200 * 1000);
  CHECK(tab.command_line().starts_with(
      R"("C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer)"));
  CHECK(tab.state().empty());
  CHECK(sw.top_processes(1).name() == "MsMpEng.exe");
  CHECK(sw.top_processes(1).user() == "NT AUTHORITY\\SYSTEM");

  // The largest by working set joins the list: Memory Compression, a system process.
  auto* compression = find(snap, 2220);
  REQUIRE(compression);
  CHECK(compression->name() == "Memory Compression");
  CHECK(compression->command_line() == "[Memory Compression]");
  CHECK(find(snap, 4)->command_line() == "[System]");

  // Started between the two samples: its lifetime average.
  auto* runner = find(snap, 11812);
  REQUIRE(runner);
  CHECK(runner->cpu_percent() == Approx(3.0));

  // Zoom's meeting link carries the meeting password.
  auto* zoom = find(snap, 11700);
  REQUIRE(zoom);
  CHECK(zoom->command_line().find("Rk9vQmFyQmF6") == std::string::npos);
  for (const auto& p : sw.top_processes()) {
    CHECK(p.command_line().find("Sommer2026") == std::string::npos);
    CHECK(p.command_line().size() <= 512);
  }
}

TEST_CASE("windows_processes: the server's SQL Server, and the backup script's sa password",
          "[windows_processes][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_processes");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& sw = snap.software();
  CHECK(sw.process_summary().total() == 32);
  const auto& sql = sw.top_processes(0);
  CHECK(sql.name() == "sqlservr.exe");
  CHECK(sql.user() == "NT Service\\MSSQLSERVER");
  CHECK(sql.cpu_percent() == Approx(21.7).epsilon(0.001));
  CHECK(sql.rss_bytes() == 30576476160ULL);
  CHECK(sql.memory_percent() == Approx(100.0 * 30576476160 / 274726035456.0));
  CHECK(
      sql.command_line() ==
      R"("C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\sqlservr.exe" -sMSSQLSERVER)");

  auto* sqlcmd = find(snap, 9340);
  REQUIRE(sqlcmd);
  CHECK(sqlcmd->ppid() == 9300);
  CHECK(sqlcmd->command_line().find("Fr!hling") == std::string::npos);
  CHECK_THAT(sqlcmd->command_line(),
             Catch::StartsWith("sqlcmd.exe -S localhost -U sa -P [REDACTED] -Q"));
}

TEST_CASE("windows_processes: hostile answers", "[windows_processes]") {
  SECTION("items of every wrong type") {
    testing::ScratchMachine m;
    m.write("api/processes.json", R"({"sample_ms": "soon", "memory_total_bytes": -1,
      "processes": [1, null, {"name": "no pid"}, {"pid": -4},
        {"pid": 99999999999, "name": "huge pid"},
        {"pid": 10, "name": ["x"], "cpu_window_us": 5000, "working_set_bytes": "12",
         "command_line": 7, "user": {"a": 1}},
        {"pid": 11, "name": "x.exe", "start_unix_ms": 1796126400000, "cpu_time_ms": 5,
         "working_set_bytes": 1}]})");
    auto snap = m.collect("windows_processes");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& sw = snap.software();
    CHECK(sw.process_summary().total() == 2);
    CHECK(sw.process_summary().sample_ms() == 0);
    REQUIRE(sw.top_processes_size() == 2);
    CHECK(sw.top_processes(0).pid() == 10);
    CHECK(sw.top_processes(0).rss_bytes() == 12);
    CHECK(sw.top_processes(0).cpu_percent() == 0);
    CHECK(sw.top_processes(0).memory_percent() == 0);
    CHECK(sw.top_processes(0).command_line() == "7");
  }
  SECTION("a huge command line is cut before it is split") {
    testing::ScratchMachine m;
    m.write("api/processes.json",
            R"({"sample_ms": 250, "processes": [{"pid": 10, "working_set_bytes": 5,
               "command_line": "a.exe )" +
                std::string(100000, 'x') + R"( --password=secret"}]})");
    auto snap = m.collect("windows_processes");
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK(snap.software().top_processes(0).command_line().size() == 512);
  }
  SECTION("no list") {
    testing::ScratchMachine m;
    m.write("api/processes.json", R"({"processes": 5})");
    auto snap = m.collect("windows_processes");
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
    CHECK_THAT(snap.collectors(0).message(), Catch::Contains("no list of processes"));
  }
}

TEST_CASE("windows_processes: no recorded password leaves either machine",
          "[windows_processes][recorded]") {
  for (const auto& [machine, secret] :
       {std::pair{"win11-laptop", "Sommer2026"}, std::pair{"server2022", "Fr!hling"}}) {
    auto snap = testing::recorded_snapshot(machine);
    CHECK(snap.SerializeAsString().find(secret) == std::string::npos);
  }
}
