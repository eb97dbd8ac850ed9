// windows_printing: the laptop's printers through the running spooler, the server's stuck job
// found on disk while its spooler is stopped, and answers with jobs in error or parts missing.
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

std::shared_ptr<testing::ScriptedWinHost> spooler_with(nlohmann::json printers) {
  auto win = std::make_shared<testing::ScriptedWinHost>();
  win->api_answers["printers"] = {{"spooler", {{"state", "running"}, {"start_type", "auto"}}},
                                  {"printers", std::move(printers)}};
  return win;
}

}  // namespace

TEST_CASE("windows_printing: a laptop printing to PDF, its home printer offline",
          "[windows_printing][recorded][win11-laptop]") {
  auto snap = testing::recorded_collect("win11-laptop", "windows_printing");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& pr = snap.health().printing();
  CHECK(pr.spooler() == "Windows print spooler");
  CHECK(pr.spooler_running());
  CHECK_FALSE(pr.cups_available());
  REQUIRE(pr.printers_size() == 5);
  const auto& hp = pr.printers(0);
  CHECK(hp.name() == "HP OfficeJet Pro 9010 series");
  CHECK(hp.state() == v1::Printer::STOPPED);
  CHECK(hp.message() == "offline");
  CHECK(hp.is_default());
  CHECK(hp.accepting());
  CHECK(hp.device_uri() == "WSD-3f8a1c2e-7b4d-4e9f-a6c0-1d2e3f4a5b6c.003c");
  CHECK(hp.queued_jobs() == 0);
  const auto& pdf = pr.printers(1);
  CHECK(pdf.name() == "Microsoft Print to PDF");
  CHECK(pdf.state() == v1::Printer::IDLE);
  CHECK(pdf.message().empty());
  CHECK_FALSE(pdf.is_default());
  CHECK(pdf.device_uri() == "PORTPROMPT:");
  CHECK(pdf.queued_jobs() == 1);
  CHECK(pr.printers(4).name() == "Fax");

  REQUIRE(pr.jobs_size() == 1);
  const auto& job = pr.jobs(0);
  CHECK(job.id() == "Microsoft Print to PDF-3");
  CHECK(job.printer() == "Microsoft Print to PDF");
  CHECK(job.user() == "j.meyer");
  CHECK(job.size_bytes() == 286720);
  CHECK(job.submitted_unix_ms() == 1796126287000);  // 2026-12-01T11:58:07Z
  CHECK_FALSE(job.stuck());                         // two minutes, waiting for a file name
  CHECK(pr.stuck_jobs() == 0);
}

TEST_CASE("windows_printing: the server's spooler is stopped with a job left for 3 hours",
          "[windows_printing][recorded][server2022]") {
  auto snap = testing::recorded_collect("server2022", "windows_printing");
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  CHECK_THAT(snap.collectors(0).message(), Contains("spooler stopped"));
  const auto& pr = snap.health().printing();
  CHECK(pr.spooler() == "Windows print spooler");
  REQUIRE(pr.has_spooler_running());
  CHECK_FALSE(pr.spooler_running());
  REQUIRE(pr.printers_size() == 3);
  CHECK(pr.printers(0).name() == "HP-LJ-2OG");
  const auto& hp = pr.printers(1);
  CHECK(hp.name() == "HP-LJ-3OG");
  CHECK(hp.state() == v1::Printer::STOPPED);
  CHECK_FALSE(hp.accepting());
  CHECK(hp.message() == "spooler not running");
  CHECK(hp.device_uri() == "IP_10.20.3.41");
  CHECK(hp.queued_jobs() == 1);
  CHECK(pr.printers(0).queued_jobs() == 0);
  CHECK(pr.printers(2).name() == "Microsoft Print to PDF");

  REQUIRE(pr.jobs_size() == 1);
  const auto& job = pr.jobs(0);
  CHECK(job.id() == "HP-LJ-3OG-14");
  CHECK(job.printer() == "HP-LJ-3OG");
  CHECK(job.size_bytes() == 1482312);
  CHECK(job.submitted_unix_ms() == 1796115612000);  // 2026-12-01T09:00:12Z
  CHECK(job.stuck());
  CHECK(pr.stuck_jobs() == 1);
}

TEST_CASE("windows_printing: job and printer states from their status bits", "[windows_printing]") {
  const auto now = testing::kScriptedNow;
  auto job = [](int id, int status, const char* submitted) {
    return nlohmann::json{{"id", id}, {"status", status}, {"submitted", submitted}};
  };
  nlohmann::json jammed = {{"name", "Jammed"}, {"status", 0x2 | 0x8}, {"jobs", 1}};
  jammed["job_list"] = nlohmann::json::array({job(1, 0, "2026-12-01T11:59:00Z")});
  nlohmann::json busy = {{"name", "Busy"}, {"status", 0x400}, {"jobs", 3}};
  busy["job_list"] = nlohmann::json::array({
      job(2, 0x10, "2026-12-01T11:58:00.000Z"),  // printing, two minutes
      job(3, 0x2, "2026-12-01T11:59:30.000Z"),   // in error
      job(4, 0x8, "2026-12-01T11:30:00.000Z"),   // deleting for 30 minutes
  });
  nlohmann::json going = {{"name", "Going"}, {"status", 0x4}, {"attributes", 0x400}};
  auto win = spooler_with(nlohmann::json::array({jammed, busy, going}));
  auto snap = testing::scripted_collect("windows_printing", win, now);
  REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
  const auto& pr = snap.health().printing();
  REQUIRE(pr.printers_size() == 3);
  CHECK(pr.printers(0).state() == v1::Printer::STOPPED);
  CHECK(pr.printers(0).message() == "error, paper jam");
  CHECK(pr.printers(1).state() == v1::Printer::PRINTING);
  CHECK(pr.printers(1).queued_jobs() == 3);
  CHECK(pr.printers(2).state() == v1::Printer::STOPPED);
  CHECK_FALSE(pr.printers(2).accepting());
  CHECK(pr.printers(2).message() == "used offline, pending deletion");
  REQUIRE(pr.jobs_size() == 4);
  CHECK(pr.jobs(0).id() == "Jammed-1");
  CHECK(pr.jobs(0).stuck());  // one minute old, but its printer is jammed
  CHECK_FALSE(pr.jobs(1).stuck());
  CHECK(pr.jobs(2).stuck());
  CHECK(pr.jobs(3).stuck());
  CHECK(pr.stuck_jobs() == 3);
}

TEST_CASE("windows_printing: hostile answers", "[windows_printing][hostile]") {
  SECTION("no answer") {
    auto snap =
        testing::scripted_collect("windows_printing", std::make_shared<testing::ScriptedWinHost>());
    CHECK(snap.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  }
  SECTION("not an object") {
    auto win = std::make_shared<testing::ScriptedWinHost>();
    win->api_answers["printers"] = nlohmann::json::array({1, 2, 3});
    auto snap = testing::scripted_collect("windows_printing", win);
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK_FALSE(snap.health().printing().has_spooler_running());
    CHECK(snap.health().printing().printers_size() == 0);
  }
  SECTION("the spooler's state unknown and printers absent") {
    auto win = std::make_shared<testing::ScriptedWinHost>();
    win->api_answers["printers"] = {{"error", "OpenSCManagerW: Access is denied. (5)"}};
    auto snap = testing::scripted_collect("windows_printing", win);
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    CHECK_THAT(snap.collectors(0).message(), Contains("Access is denied"));
  }
  SECTION("thousands of printers and jobs, entries of the wrong type") {
    nlohmann::json printers = nlohmann::json::array({"text", nullptr, {{"name", 5}}});
    nlohmann::json jobs = nlohmann::json::array({7, {{"user", "no id"}}});
    for (int i = 0; i < 150; ++i) jobs.push_back({{"id", i}, {"size_bytes", "x"}});
    for (int i = 0; i < 300; ++i) {
      nlohmann::json p = {{"name", "P" + std::to_string(i)}, {"jobs", -1}};
      if (i < 3) p["job_list"] = jobs;
      printers.push_back(std::move(p));
    }
    auto snap = testing::scripted_collect("windows_printing", spooler_with(printers));
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& pr = snap.health().printing();
    CHECK(pr.printers_size() == 100);
    CHECK(pr.printers(0).name() == "5");
    CHECK(pr.jobs_size() == 200);
    CHECK(pr.jobs(0).size_bytes() == 0);
    CHECK(pr.jobs(0).submitted_unix_ms() == 0);
    CHECK_FALSE(pr.jobs(0).stuck());  // no time, printer idle: nothing says it is stuck
  }
  SECTION("a stopped spooler, a shadow file naming no known printer") {
    auto win = std::make_shared<testing::ScriptedWinHost>();
    win->api_answers["printers"] = {{"spooler", {{"state", "stopped"}}}};
    const std::string key = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Print\\Printers";
    win->keys[key].subkeys = {"Gone"};  // listed, but its key cannot be read
    win->directories["C:\\Windows\\System32\\spool\\PRINTERS"] = {
        {"FP00007.SHD", false, 900, testing::kScriptedNow - kMinute},
        {"FP00007.SPL", false, 4096, testing::kScriptedNow - kMinute},
        {"ABC.SHD", false, 10, 0},
        {"00008.SPL", false, 1, 0}};
    win->files["C:\\Windows\\System32\\spool\\PRINTERS\\FP00007.SHD"] = std::string(900, 'x');
    auto snap = testing::scripted_collect("windows_printing", win);
    REQUIRE(snap.collectors(0).outcome() == v1::CollectorStatus::OK);
    const auto& pr = snap.health().printing();
    CHECK(pr.printers_size() == 0);
    REQUIRE(pr.jobs_size() == 1);
    CHECK(pr.jobs(0).id() == "unknown printer-7");
    CHECK(pr.jobs(0).size_bytes() == 4096);
    CHECK(pr.jobs(0).stuck());  // a minute old, but no spooler runs to print it
    CHECK(pr.stuck_jobs() == 1);
  }
}
