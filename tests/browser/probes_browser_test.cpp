// The console's probes panel in a real browser against a real collector and a real agent:
// tests/browser/probes.spec.mjs runs a reach probe with TLS against a test server with an
// expired certificate, a listening-sockets probe, a disk-usage probe, a connections probe by
// process name and a path probe to 127.0.0.1 on the device page, and reads the typed
// results; the endpoint reports a process and a directory named like HTML, which must render
// as text. A probe run from a ticket is noted on its timeline. A viewer sees the runs but no
// form, and the API refuses her; a probe on an offline device shows the server's refusal.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <catch2/catch.hpp>

#include "tests/browser/browser_spec.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/support/probe_test_server.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace fs = std::filesystem;

namespace {

const fs::path kBrowserDir = fs::path(TRIAGE_SOURCE_DIR) / "tests/browser";
constexpr const char* kHostile = "<img src=x onerror=alert(1)>";

// The fixture laptop, plus one process whose name is HTML, listening on 127.0.0.1:8080 and
// connected from 192.168.1.23:51000 to 10.20.30.40:443: the listening and connections probes
// read /proc under the agent's --sysroot (the socket tables, the fd links to socket inodes).
fs::path hostile_sysroot(const fs::path& dir) {
  const auto root = dir / "sysroot";
  fs::copy(fs::path(TRIAGE_FIXTURES_DIR) / "sysroot/laptop", root,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  fs::create_directories(root / "proc/net");
  std::ofstream(root / "proc/net/tcp")
      << "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
         "timeout inode\n"
      << "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  "
         "      0 777001 1 0000000000000000 100 0 0 10 0\n"
      << "   1: 1701A8C0:C738 281E140A:01BB 01 00000000:00000000 00:00000000 00000000  1000  "
         "      0 777002 1 0000000000000000 20 4 30 10 -1\n";
  fs::create_directories(root / "proc/4242/fd");
  std::ofstream(root / "proc/4242/comm") << kHostile << "\n";
  fs::create_symlink("socket:[777001]", root / "proc/4242/fd/3");
  fs::create_symlink("socket:[777002]", root / "proc/4242/fd/4");
  return root;
}

}  // namespace

TEST_CASE(
    "the probes panel in chromium: reach, listening, disk usage, connections, path, roles, "
    "hostile names",
    "[integration][browser][probes]") {
  REQUIRE(fs::exists(chromium_path()));
  INFO("run installers/dev/install-deps.sh to install playwright-core into tests/browser");
  REQUIRE(fs::exists(kBrowserDir / "node_modules/playwright-core/package.json"));

  CollectorFixture c;
  AgentFixture agent(c, "probed");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start({"--sysroot", hostile_sysroot(c.root()).string()});
  const auto device = agent.device_id();
  REQUIRE(eventually([&] { return device_online(c, device); }, 30s));
  // Enrolled, never started: offline.
  AgentFixture offline(c, "asleep");
  REQUIRE(offline.enroll().exit_code == 0);

  // A directory named like HTML for the disk-usage probe, on the real file system.
  const auto disk = c.root() / "disk";
  fs::create_directories(disk / kHostile);
  std::ofstream(disk / kHostile / "big.bin") << std::string(64 * 1024, 'x');
  fs::create_directories(disk / "small");
  std::ofstream(disk / "small/a.txt") << "a";

  const auto pki = make_probe_test_pki();
  ProbeTestServer expired(ProbeTestServer::Mode::kHttps, pki.expired_chain_pem,
                          pki.expired_key_pem);
  c.add_user("tom", "technician", password_of("tom"));
  c.add_user("lena", "viewer", password_of("lena"));
  const auto admin = c.admin_token();
  auto ticket =
      c.post("/api/v1/tickets",
             {{"title", "Cannot reach the VPN"}, {"priority", "P2"}, {"device_id", device}}, admin);
  INFO(ticket.text);
  REQUIRE(ticket.status == 201);
  const auto ticket_id = ticket.body["id"].get<std::int64_t>();

  auto argv = spec_command(
      c, "probes.spec.mjs",
      {"TRIAGE_TECH=tom:" + password_of("tom"), "TRIAGE_VIEWER=lena:" + password_of("lena"),
       "TRIAGE_DEVICE=" + device, "TRIAGE_OFFLINE_DEVICE=" + offline.device_id(),
       "TRIAGE_TICKET=" + std::to_string(ticket_id),
       "TRIAGE_TLS_PORT=" + std::to_string(expired.port()), "TRIAGE_DISK_PATH=" + disk.string()});
  auto result = run_command(argv, c.root(), "", 240s);
  std::cout << result.out << result.err << std::flush;
  REQUIRE(result.exit_code == 0);

  // What the browser asked for reached the agent and is on record: the technician's runs
  // answered, none by the viewer.
  auto runs = c.get("/api/v1/devices/" + device + "/probes?limit=100", admin);
  INFO(runs.text);
  REQUIRE(runs.status == 200);
  std::set<std::string> probes;
  std::string on_ticket;
  for (const auto& r : runs.body["items"]) {
    CHECK(r["requested_by"] == "tom");
    CHECK(r["state"] == "completed");
    probes.insert(r["probe"].get<std::string>());
    if (r["ticket_id"] == ticket_id) on_ticket = r["probe"].get<std::string>();
  }
  CHECK(probes == std::set<std::string>{"reach", "listening", "disk_usage", "connections", "path",
                                        "resolve"});
  CHECK(on_ticket == "resolve");
  CHECK(expired.connections() >= 1);
}
