// The console's live view in a real browser against a real collector and a real agent:
// tests/browser/live.spec.mjs opens a live view on the device page, watches at least three
// samples arrive in the charts and the busiest processes (one named like HTML, which must
// render as text), and stops it; on a ticket it opens another, stops it, finds it among the
// ticket's recordings and on its timeline, and replays it; a viewer gets no open button. The
// test then checks on the server that the ticket's recording holds those samples.

#include <filesystem>
#include <fstream>
#include <iostream>

#include <catch2/catch.hpp>

#include "tests/browser/browser_spec.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace fs = std::filesystem;

namespace {

const fs::path kBrowserDir = fs::path(TRIAGE_SOURCE_DIR) / "tests/browser";

// The fixture laptop plus a process named like HTML: the live sampler reads /proc/PID/stat
// under the agent's --sysroot for the busiest processes.
fs::path live_sysroot(const fs::path& dir) {
  const auto root = dir / "sysroot";
  fs::copy(fs::path(TRIAGE_FIXTURES_DIR) / "sysroot/laptop", root,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  fs::create_directories(root / "proc/4242");
  std::ofstream(root / "proc/4242/stat")
      << "4242 (<img src=x onerror=alert(1)>) S 1 4242 4242 0 -1 4194560 1000 0 0 0 50000 9000 0 "
         "0 20 0 4 0 9000000 123456789 250000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 "
         "0 0 0 0 0\n";
  return root;
}

}  // namespace

TEST_CASE("the live view in chromium: charts, processes, stop, ticket recordings and replay, roles",
          "[integration][browser][live]") {
  REQUIRE(fs::exists(chromium_path()));
  INFO("run installers/dev/install-deps.sh to install playwright-core into tests/browser");
  REQUIRE(fs::exists(kBrowserDir / "node_modules/playwright-core/package.json"));

  CollectorFixture c;
  AgentFixture agent(c, "watched");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start({"--sysroot", live_sysroot(c.root()).string()});
  const auto device = agent.device_id();
  REQUIRE(eventually([&] { return device_online(c, device); }, 30s));

  c.add_user("tom", "technician", password_of("tom"));
  c.add_user("lena", "viewer", password_of("lena"));
  const auto admin = c.admin_token();
  auto ticket = c.post(
      "/api/v1/tickets",
      {{"title", "Laptop freezes when Teams starts"}, {"priority", "P2"}, {"device_id", device}},
      admin);
  INFO(ticket.text);
  REQUIRE(ticket.status == 201);
  const auto ticket_id = ticket.body["id"].get<std::int64_t>();

  auto argv = spec_command(
      c, "live.spec.mjs",
      {"TRIAGE_TECH=tom:" + password_of("tom"), "TRIAGE_VIEWER=lena:" + password_of("lena"),
       "TRIAGE_DEVICE=" + device, "TRIAGE_TICKET=" + std::to_string(ticket_id)});
  auto result = run_command(argv, c.root(), "", 240s);
  std::cout << result.out << result.err << std::flush;
  REQUIRE(result.exit_code == 0);

  // The view opened on the ticket is its recording: ended by the technician, its samples kept.
  auto recordings = c.get("/api/v1/tickets/" + std::to_string(ticket_id) + "/live", admin);
  INFO(recordings.text);
  REQUIRE(recordings.status == 200);
  REQUIRE(recordings.body["items"].size() == 1);
  const auto& recording = recordings.body["items"][0];
  CHECK(recording["started_by"] == "tom");
  CHECK(recording["state"] == "ended");
  CHECK(recording["device_id"] == device);
  CHECK(recording["samples"].get<int>() >= 3);
}
