// The web console in a real browser against a real collector with a real enrolled agent:
// tests/browser/console.spec.mjs (node + playwright-core + Debian's chromium, headless) logs
// in, works the queue and a ticket, checks a viewer's page, hostile text and the CSP.

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kBrowserDir =
    std::filesystem::path(TRIAGE_SOURCE_DIR) / "tests/browser";

std::string password_of(const std::string& name) { return "correct horse battery " + name; }

std::int64_t create_ticket(CollectorFixture& c, const nlohmann::json& body,
                           const std::string& token) {
  auto r = c.post("/api/v1/tickets", body, token);
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

std::string chromium_path() {
  const char* chosen = std::getenv("CHROMIUM");
  return chosen != nullptr ? chosen : "/usr/bin/chromium";
}

}  // namespace

TEST_CASE("the web console in chromium: login, queue, ticket, notes, roles, hostile text, CSP",
          "[integration][browser]") {
  REQUIRE(std::filesystem::exists(chromium_path()));
  INFO("run installers/dev/install-deps.sh to install playwright-core into tests/browser");
  REQUIRE(std::filesystem::exists(kBrowserDir / "node_modules/playwright-core/package.json"));

  CollectorFixture c;
  AgentFixture agent(c, "laptop");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  agent.start(
      {"--sysroot", (std::filesystem::path(TRIAGE_FIXTURES_DIR) / "sysroot/laptop").string()});
  REQUIRE(eventually([&] { return device_online(c, device); }));
  REQUIRE(eventually([&] { return !c.reports(device).empty(); }, 30s));

  const auto admin = c.admin_token();
  c.add_user("tom", "technician", password_of("tom"));
  c.add_user("lena", "viewer", password_of("lena"));

  const auto enriched = create_ticket(c,
                                      {{"title", "Battery dies within an hour"},
                                       {"description", "Since Monday the laptop lasts an hour."},
                                       {"requester", "carol@example.com"},
                                       {"priority", "P2"},
                                       {"device_id", device}},
                                      admin);
  REQUIRE(eventually(
      [&] {
        auto t = c.get("/api/v1/tickets/" + std::to_string(enriched), admin).body;
        return t.contains("findings") && !t["findings"].empty();
      },
      30s));
  REQUIRE(c.post("/api/v1/tickets/" + std::to_string(enriched) + "/notes",
                 {{"text", "We are looking into it."}, {"visibility", "public"}}, admin)
              .status == 201);
  const auto hostile = create_ticket(
      c, {{"title", "<img src=x onerror=alert(1)>"}, {"priority", "P3"}, {"requester", "mallory"}},
      admin);
  create_ticket(c, {{"title", "VPN drops every few minutes"}, {"priority", "P1"}}, admin);
  create_ticket(c, {{"title", "New starter needs a laptop"}, {"priority", "P4"}}, admin);

  std::vector<std::string> argv = {
      "/usr/bin/env",
      "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1",
      "CHROMIUM=" + chromium_path(),
      "TRIAGE_URL=https://127.0.0.1:" + std::to_string(c.port()),
      "TRIAGE_SERVER_CERT=" + (c.data_dir() / "pki/server.pem").string(),
      "TRIAGE_TECH=tom:" + password_of("tom"),
      "TRIAGE_VIEWER=lena:" + password_of("lena"),
      "TRIAGE_ADMIN=admin:" + password_of("admin"),
      "TRIAGE_TICKET=" + std::to_string(enriched),
      "TRIAGE_XSS_TICKET=" + std::to_string(hostile),
      "node",
      (kBrowserDir / "console.spec.mjs").string()};
  auto result = run_command(argv, c.root(), "", 240s);
  // One line per case ("ok - ..." / "not ok - ..." with the reason) in the test log; the
  // spec exits non-zero when any case failed.
  std::cout << result.out << result.err << std::flush;
  REQUIRE(result.exit_code == 0);
}
