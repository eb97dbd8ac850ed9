// The web console in a real browser against a real collector with a real enrolled agent:
// tests/browser/console.spec.mjs (node + playwright-core + Debian's chromium, headless) logs
// in, works the queue and a ticket, runs actions and approves one, checks a viewer's page,
// the audit and admin pages, hostile text and the CSP.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <catch2/catch.hpp>

#include "tests/browser/browser_spec.hpp"
#include "tests/support/action_pins.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kBrowserDir =
    std::filesystem::path(TRIAGE_SOURCE_DIR) / "tests/browser";

std::int64_t create_ticket(CollectorFixture& c, const nlohmann::json& body,
                           const std::string& token) {
  auto r = c.post("/api/v1/tickets", body, token);
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

// Harmless test actions (/bin/echo only), as in tests/integration/actions_test.cpp. The
// low-risk one "fixes" a finding the fixture laptop has, so its card offers "Fix with".
const char* kEchoLow = R"toml(
id = "echo-low"
version = 1
title = "Echo a word"
description = "Prints the given word (test action)."
argv = ["/bin/echo", "console says", "{text}"]
risk = "low"
fixes = ["battery.worn"]
[params.text]
type = "regex"
description = "lower-case letters"
pattern = '^[a-z]{1,20}$'
max_length = 20
)toml";

const char* kEchoHigh = R"toml(
id = "echo-high"
version = 1
title = "Echo, high risk"
argv = ["/bin/echo", "approved and ran"]
risk = "high"
)toml";

}  // namespace

TEST_CASE("the web console in chromium: queue, ticket, actions, approvals, audit, admin, CSP",
          "[integration][browser]") {
  REQUIRE(std::filesystem::exists(chromium_path()));
  INFO("run installers/dev/install-deps.sh to install playwright-core into tests/browser");
  REQUIRE(std::filesystem::exists(kBrowserDir / "node_modules/playwright-core/package.json"));

  TempDir actions;
  std::ofstream(actions.path() / "echo-low.toml") << kEchoLow;
  std::ofstream(actions.path() / "echo-high.toml") << kEchoHigh;
  CollectorFixture c("[actions]\ndir = \"" + actions.path().string() + "\"\n");
  AgentFixture agent(c, "laptop");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  const auto agent_config = c.root() / "agent-laptop-policy.toml";
  std::ofstream(agent_config) << "[probes]\nenabled = false\n[policy]\nmax_risk = \"high\"\n"
                              << allow_custom_line({kEchoLow, kEchoHigh});
  agent.start({"--sysroot",
               (std::filesystem::path(TRIAGE_FIXTURES_DIR) / "sysroot/laptop").string(), "--config",
               agent_config.string()});
  REQUIRE(eventually([&] { return device_online(c, device); }));
  REQUIRE(eventually([&] { return !c.reports(device).empty(); }, 30s));

  const auto admin = c.admin_token();
  c.add_user("tom", "technician", password_of("tom"));
  c.add_user("lena", "viewer", password_of("lena"));
  // A second admin: catalog changes one admin proposes take effect when another approves.
  c.add_user("ines", "admin", password_of("ines"));
  // A generated password (as `make demo` makes for its admin) must be changed at first login.
  auto generated = c.cli({"user", "add", "--name", "nora", "--role", "technician"});
  REQUIRE(generated.exit_code == 0);
  std::string nora_password = generated.out;
  while (!nora_password.empty() && nora_password.back() == '\n') nora_password.pop_back();
  // Local accounts: one sets up two-factor sign-in, one ends another of their sessions.
  c.add_user("kim", "technician", password_of("kim"));
  c.add_user("otto", "viewer", password_of("otto"));

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

  // High-risk orders for the approvals inbox: one asked by the admin (the senior approves it
  // in the browser), one asked by the senior herself (listed without Approve).
  const auto sara = c.login_as("sara", "senior");
  const auto server_ticket = create_ticket(
      c, {{"title", "Server needs the high-risk fix"}, {"priority", "P2"}, {"device_id", device}},
      admin);
  auto order_for = [&](const std::string& token) {
    auto r = c.post("/api/v1/tickets/" + std::to_string(server_ticket) + "/actions",
                    {{"action", "echo-high"}}, token);
    INFO(r.text);
    REQUIRE(r.status == 201);
    REQUIRE(r.body["state"] == "awaiting_approval");
    return r.body["id"].get<std::string>();
  };
  const auto high_order = order_for(admin);
  const auto own_order = order_for(sara);
  create_ticket(c, {{"title", "New starter needs a laptop"}, {"priority", "P4"}}, admin);

  auto argv = spec_command(
      c, "console.spec.mjs",
      {"TRIAGE_TECH=tom:" + password_of("tom"), "TRIAGE_VIEWER=lena:" + password_of("lena"),
       "TRIAGE_ADMIN=admin:" + password_of("admin"), "TRIAGE_ADMIN2=ines:" + password_of("ines"),
       "TRIAGE_SENIOR=sara:" + password_of("sara"), "TRIAGE_FIRST_LOGIN=nora:" + nora_password,
       "TRIAGE_TOTP_USER=kim:" + password_of("kim"),
       "TRIAGE_SESSIONS_USER=otto:" + password_of("otto"), "TRIAGE_HIGH_ORDER=" + high_order,
       "TRIAGE_OWN_ORDER=" + own_order, "TRIAGE_TICKET=" + std::to_string(enriched),
       "TRIAGE_XSS_TICKET=" + std::to_string(hostile)});
  auto result = run_command(argv, c.root(), "", 240s);
  // One line per case ("ok - ..." / "not ok - ..." with the reason) in the test log; the
  // spec exits non-zero when any case failed.
  std::cout << result.out << result.err << std::flush;
  REQUIRE(result.exit_code == 0);

  // What the browser did reached the server: the approved order ran on the agent.
  REQUIRE(eventually(
      [&] { return c.get("/api/v1/orders/" + high_order, admin).body["state"] == "succeeded"; },
      30s));
  CHECK(c.get("/api/v1/orders/" + high_order, admin).body["approved_by"] == "sara");
  CHECK(c.get("/api/v1/orders/" + own_order, admin).body["state"] == "awaiting_approval");
  // The admin's enrollment token: two uses, created through the API by the console.
  bool console_token = false;
  const auto tokens = c.get("/api/v1/enrollment-tokens", admin);
  INFO(tokens.text);
  for (const auto& t : tokens.body["items"]) {
    console_token = console_token || (t["created_by"] == "user:admin" && t["max_uses"] == 2);
  }
  CHECK(console_token);
  // The custom action the console proposed, approved and deleted: two people at each step.
  auto catalog = c.get("/api/v1/audit?limit=100&type=catalog.", admin);
  std::vector<std::pair<std::string, std::string>> steps;
  for (auto it = catalog.body["events"].rbegin(); it != catalog.body["events"].rend(); ++it) {
    if ((*it)["target"] == "action:console-echo") steps.emplace_back((*it)["type"], (*it)["actor"]);
  }
  CHECK(steps ==
        std::vector<std::pair<std::string, std::string>>{{"catalog.proposed", "admin"},
                                                         {"catalog.action_created", "ines"},
                                                         {"catalog.proposed", "ines"},
                                                         {"catalog.action_deleted", "admin"}});
  // Two-factor sign-in and the session ended in the browser, as the audit log has them.
  auto totp_logins = c.get("/api/v1/audit?type=auth.login.succeeded&target=user:kim", admin);
  int with_code = 0;
  for (const auto& e : totp_logins.body["events"]) {
    with_code += e["details"]["method"] == "password+totp" ? 1 : 0;
  }
  CHECK(with_code == 1);
  CHECK(c.get("/api/v1/me/sessions", admin).status == 200);
  auto ended = c.get("/api/v1/audit?type=session.revoked", admin);
  REQUIRE(ended.body["events"].size() == 1);
  CHECK(ended.body["events"][0]["actor"] == "otto");
}
