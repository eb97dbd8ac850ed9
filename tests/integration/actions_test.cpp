// Remediation actions end to end: a real collector and a real agent over mTLS, with harmless
// test actions from an admin directory (/bin/echo only; no built-in that changes this machine
// is ever run). Orders, output, ticket timeline, approvals, agent-side refusals, expiry.

#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/action_pins.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

const char* kEchoLow = R"toml(
id = "echo-low"
version = 1
title = "Echo (test)"
argv = ["/bin/echo", "{text}"]
risk = "low"
fixes = ["network.dns_failing"]
[params.text]
type = "regex"
pattern = '^[a-z ]{1,20}$'
max_length = 20
)toml";

const char* kEchoMedium = R"toml(
id = "echo-medium"
version = 1
title = "Echo, medium risk (test)"
argv = ["/bin/echo", "medium"]
risk = "medium"
)toml";

const char* kEchoHigh = R"toml(
id = "echo-high"
version = 1
title = "Echo, high risk (test)"
argv = ["/bin/echo", "approved and ran"]
risk = "high"
)toml";

/// A directory of the test actions, written before the collector reads its config.
struct ActionsDir {
  TempDir dir;
  ActionsDir() {
    std::ofstream(dir.path() / "echo-low.toml") << kEchoLow;
    std::ofstream(dir.path() / "echo-medium.toml") << kEchoMedium;
    std::ofstream(dir.path() / "echo-high.toml") << kEchoHigh;
  }
  std::string config(const std::string& extra = "") const {
    return "[actions]\ndir = \"" + dir.path().string() + "\"\n" + extra;
  }
};

/// An enrolled, running agent whose local policy is `policy` (TOML of [policy]); it pins the
/// test actions' definitions unless `pin_test_actions` is false.
std::unique_ptr<AgentFixture> running_agent(CollectorFixture& c, const std::string& name,
                                            const std::string& policy,
                                            bool pin_test_actions = true) {
  auto agent = std::make_unique<AgentFixture>(c, name);
  REQUIRE(agent->enroll().exit_code == 0);
  const auto config = c.root() / ("policy-" + name + ".toml");
  std::ofstream(config) << "[probes]\nenabled = false\n[policy]\n"
                        << policy << "\n"
                        << (pin_test_actions ? allow_custom_line({kEchoLow, kEchoMedium, kEchoHigh})
                                             : "");
  agent->start({"--config", config.string()});
  const auto device = agent->device_id();
  REQUIRE(eventually([&] { return device_online(c, device); }, 30s));
  return agent;
}

std::int64_t ticket_for(CollectorFixture& c, const std::string& device, const std::string& token) {
  auto r = c.post("/api/v1/tickets", {{"title", "DNS fails"}, {"device_id", device}}, token);
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

std::string ticket_path(std::int64_t id, const std::string& rest = "") {
  return "/api/v1/tickets/" + std::to_string(id) + rest;
}

/// Polls the order until it reaches a final state; returns it.
nlohmann::json wait_final(CollectorFixture& c, const std::string& id, const std::string& token) {
  nlohmann::json order;
  const bool done = eventually(
      [&] {
        order = c.get("/api/v1/orders/" + id, token).body;
        const auto state = order.value("state", "");
        return state == "succeeded" || state == "failed" || state == "refused" ||
               state == "expired" || state == "cancelled";
      },
      30s);
  INFO(order.dump(2));
  REQUIRE(done);
  return order;
}

const nlohmann::json* find_event(const nlohmann::json& ticket, const std::string& kind,
                                 const std::string& order_id) {
  for (const auto& e : ticket["timeline"]) {
    if (e["kind"] == kind && e["data"].value("order_id", "") == order_id) return &e;
  }
  return nullptr;
}

std::string error_code(const ApiResponse& r) {
  if (r.body.is_discarded() || !r.body.contains("error")) return "(no JSON error)";
  return r.body["error"]["code"].get<std::string>();
}

}  // namespace

TEST_CASE("a technician runs a low-risk action: output, result and timeline on the ticket",
          "[integration][actions]") {
  ActionsDir actions;
  CollectorFixture c(actions.config());
  const auto tech = c.login_as("tom", "technician");
  const auto viewer = c.login_as("lena", "viewer");
  auto agent = running_agent(c, "pc", "max_risk = \"low\"");
  const auto device = agent->device_id();
  // The key that verifies orders was pinned at enrollment.
  CHECK(std::filesystem::exists(agent->state_dir() / "order-signing.pub"));
  const auto ticket = ticket_for(c, device, tech);

  auto catalog = c.get("/api/v1/actions", viewer);
  REQUIRE(catalog.status == 200);
  bool has_builtin = false, has_custom = false;
  for (const auto& a : catalog.body["items"]) {
    has_builtin = has_builtin || a["id"] == "restart-service";
    if (a["id"] == "echo-low") {
      has_custom = true;
      CHECK(a["sha256"].get<std::string>().size() == 64);
      CHECK(a["risk"] == "low");
    }
  }
  CHECK(has_builtin);
  CHECK(has_custom);

  // A viewer cannot order anything.
  auto denied = c.post(ticket_path(ticket, "/actions"),
                       {{"action", "echo-low"}, {"params", {{"text", "hello"}}}}, viewer);
  CHECK(denied.status == 403);
  // Injection attempts are 400 naming the parameter; nothing is ordered.
  for (const nlohmann::json& bad :
       {nlohmann::json("hello; id"), nlohmann::json("$(id)"), nlohmann::json("a\nb"),
        nlohmann::json("../etc"), nlohmann::json(std::string(100, 'a')), nlohmann::json(42)}) {
    auto r = c.post(ticket_path(ticket, "/actions"),
                    {{"action", "echo-low"}, {"params", {{"text", bad}}}}, tech);
    INFO(bad.dump());
    CHECK(r.status == 400);
    CHECK_THAT(r.text, Catch::Contains("`text`"));
  }

  auto created = c.post(ticket_path(ticket, "/actions"),
                        {{"action", "echo-low"}, {"params", {{"text", "hello world"}}}}, tech);
  INFO(created.text);
  REQUIRE(created.status == 201);
  const auto id = created.body["id"].get<std::string>();
  CHECK(created.body["argv"] == nlohmann::json({"/bin/echo", "hello world"}));
  auto order = wait_final(c, id, tech);
  CHECK(order["state"] == "succeeded");
  CHECK(order["output"]["stdout"] == "hello world\n");
  CHECK(order["result"]["exit_code"] == 0);
  CHECK(order["requested_by"] == "tom");

  auto detail = c.get(ticket_path(ticket), tech).body;
  const auto* run = find_event(detail, "action_run", id);
  REQUIRE(run != nullptr);
  CHECK((*run)["visibility"] == "internal");
  CHECK((*run)["data"]["output_excerpt"] == "hello world\n");
  CHECK((*run)["data"]["argv"] == nlohmann::json({"/bin/echo", "hello world"}));
  CHECK((*run)["data"]["requested_by"] == "tom");
  CHECK((*run)["data"]["exit_code"] == 0);
  CHECK((*run)["data"].contains("duration_ms"));
  REQUIRE(find_event(detail, "action_requested", id) != nullptr);
  bool time_entry = false;
  for (const auto& e : detail["timeline"]) {
    time_entry = time_entry || (e["kind"] == "time_entry" && e["actor"] == "tom");
  }
  CHECK(time_entry);

  // The agent's local policy (low only) refuses a medium-risk action, with its reason.
  auto medium = c.post(ticket_path(ticket, "/actions"), {{"action", "echo-medium"}}, tech);
  REQUIRE(medium.status == 201);
  auto refused = wait_final(c, medium.body["id"].get<std::string>(), tech);
  CHECK(refused["state"] == "refused");
  CHECK_THAT(refused["reason"].get<std::string>(), Catch::Contains("local policy"));
  CHECK(refused["output"]["stdout"] == "");
  auto after = c.get(ticket_path(ticket), tech).body;
  CHECK(find_event(after, "action_refused", medium.body["id"].get<std::string>()) != nullptr);

  // The endpoint's owner sees both in the agent's own history.
  auto history = run_command(
      {binary("triage-agent"), "history", "--state", agent->state_dir().string()}, c.root());
  INFO(history.out << history.err);
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.out, Catch::Contains("echo-low"));
  CHECK_THAT(history.out, Catch::Contains("refused"));
  CHECK_THAT(history.out, Catch::Contains("intact (2 entries)"));
}

TEST_CASE("a custom action the endpoint has not pinned is refused by the agent and audited",
          "[integration][actions]") {
  ActionsDir actions;
  CollectorFixture c(actions.config());
  const auto tech = c.login_as("tom", "technician");
  // Low risk is allowed, but the owner pinned no custom definition.
  auto agent = running_agent(c, "pc", "max_risk = \"low\"", false);
  const auto ticket = ticket_for(c, agent->device_id(), tech);
  auto created = c.post(ticket_path(ticket, "/actions"),
                        {{"action", "echo-low"}, {"params", {{"text", "hello"}}}}, tech);
  INFO(created.text);
  REQUIRE(created.status == 201);
  auto order = wait_final(c, created.body["id"].get<std::string>(), tech);
  CHECK(order["state"] == "refused");
  CHECK_THAT(
      order["reason"].get<std::string>(),
      Catch::Contains("custom action echo-low (sha256:" + definition_pin(kEchoLow).substr(7) +
                      ") is not pinned by this endpoint's local policy"));
  CHECK(order["output"]["stdout"] == "");
  // The owner's history keeps the refusal, with the argv that was asked for.
  auto history = run_command(
      {binary("triage-agent"), "history", "--state", agent->state_dir().string()}, c.root());
  INFO(history.out << history.err);
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.out, Catch::Contains("refused") && Catch::Contains("not pinned"));
  CHECK_THAT(history.out, Catch::Contains("intact (1 entries)"));
}

TEST_CASE("a high-risk order waits for a second senior person, then runs",
          "[integration][actions]") {
  ActionsDir actions;
  CollectorFixture c(actions.config());
  const auto alice = c.login_as("alice", "senior");
  const auto bob = c.login_as("bob", "senior");
  const auto tech = c.login_as("tom", "technician");
  auto agent = running_agent(c, "server", "max_risk = \"high\"\nallow = [\"echo-high\"]");
  const auto ticket = ticket_for(c, agent->device_id(), alice);

  CHECK(c.post(ticket_path(ticket, "/actions"), {{"action", "echo-high"}}, tech).status == 403);
  auto created = c.post(ticket_path(ticket, "/actions"), {{"action", "echo-high"}}, alice);
  REQUIRE(created.status == 201);
  const auto id = created.body["id"].get<std::string>();
  CHECK(created.body["state"] == "awaiting_approval");

  auto own = c.post("/api/v1/orders/" + id + "/approve", nlohmann::json::object(), alice);
  CHECK(own.status == 403);
  CHECK(error_code(own) == "forbidden");
  CHECK(c.post("/api/v1/orders/" + id + "/approve", nlohmann::json::object(), tech).status == 403);
  CHECK(c.get("/api/v1/orders/" + id, alice).body["state"] == "awaiting_approval");

  auto approved = c.post("/api/v1/orders/" + id + "/approve", nlohmann::json::object(), bob);
  INFO(approved.text);
  REQUIRE(approved.status == 200);
  auto order = wait_final(c, id, alice);
  CHECK(order["state"] == "succeeded");
  CHECK(order["approved_by"] == "bob");
  CHECK(order["output"]["stdout"] == "approved and ran\n");
  const auto detail = c.get(ticket_path(ticket), alice).body;
  const auto* run = find_event(detail, "action_run", id);
  REQUIRE(run != nullptr);
  CHECK((*run)["data"]["approved_by"] == "bob");

  // A rejected order never reaches the agent.
  auto second = c.post(ticket_path(ticket, "/actions"), {{"action", "echo-high"}}, alice);
  REQUIRE(second.status == 201);
  const auto second_id = second.body["id"].get<std::string>();
  auto rejected = c.post("/api/v1/orders/" + second_id + "/reject", {{"reason", "not today"}}, bob);
  REQUIRE(rejected.status == 200);
  CHECK(rejected.body["state"] == "cancelled");
  CHECK(c.post("/api/v1/orders/" + second_id + "/approve", nlohmann::json::object(), bob).status ==
        409);
}

TEST_CASE("orders are listed newest first, by state, device and ticket, in pages",
          "[integration][actions]") {
  ActionsDir actions;
  CollectorFixture c(actions.config());
  const auto alice = c.login_as("alice", "senior");
  const auto tech = c.login_as("tom", "technician");
  const auto viewer = c.login_as("lena", "viewer");
  auto agent = running_agent(c, "server", "max_risk = \"high\"\nallow = [\"echo-high\"]");
  const auto device = agent->device_id();
  const auto first_ticket = ticket_for(c, device, alice);
  const auto second_ticket = ticket_for(c, device, alice);

  std::vector<std::string> ids;
  for (auto ticket : {first_ticket, second_ticket, second_ticket}) {
    auto created = c.post(ticket_path(ticket, "/actions"), {{"action", "echo-high"}}, alice);
    INFO(created.text);
    REQUIRE(created.status == 201);
    ids.push_back(created.body["id"].get<std::string>());
  }

  CHECK(c.get("/api/v1/orders", viewer).status == 403);
  auto inbox = c.get("/api/v1/orders?state=awaiting_approval", tech);
  INFO(inbox.text);
  REQUIRE(inbox.status == 200);
  REQUIRE(inbox.body["items"].size() == 3);
  CHECK(inbox.body["items"][0]["id"] == ids[2]);  // newest first
  CHECK(inbox.body["items"][2]["id"] == ids[0]);
  CHECK(inbox.body["items"][0]["requested_by"] == "alice");
  CHECK(inbox.body["items"][0]["risk"] == "high");
  CHECK(inbox.body["next_offset"].is_null());

  auto page = c.get("/api/v1/orders?limit=2", tech);
  REQUIRE(page.body["items"].size() == 2);
  CHECK(page.body["next_offset"] == 2);
  auto rest = c.get("/api/v1/orders?limit=2&offset=2", tech);
  REQUIRE(rest.body["items"].size() == 1);
  CHECK(rest.body["items"][0]["id"] == ids[0]);
  CHECK(rest.body["next_offset"].is_null());

  auto of_ticket = c.get("/api/v1/orders?ticket_id=" + std::to_string(first_ticket), tech);
  REQUIRE(of_ticket.body["items"].size() == 1);
  CHECK(of_ticket.body["items"][0]["id"] == ids[0]);
  CHECK(c.get("/api/v1/orders?device_id=" + device, tech).body["items"].size() == 3);
  CHECK(c.get("/api/v1/orders?device_id=someone-else", tech).body["items"].empty());

  // Rejected orders leave the inbox.
  REQUIRE(c.post("/api/v1/orders/" + ids[1] + "/reject", {{"reason", "no"}},
                 c.login_as("bob", "senior"))
              .status == 200);
  CHECK(c.get("/api/v1/orders?state=awaiting_approval", tech).body["items"].size() == 2);
  CHECK(c.get("/api/v1/orders?state=cancelled", tech).body["items"][0]["id"] == ids[1]);

  CHECK(c.get("/api/v1/orders?state=waiting", tech).status == 400);
  CHECK(c.get("/api/v1/orders?limit=0", tech).status == 400);
  CHECK(c.get("/api/v1/orders?ticket_id=x", tech).status == 400);
}

TEST_CASE("orders for an offline device wait, are sent on reconnect, or expire visibly",
          "[integration][actions]") {
  ActionsDir actions;
  SECTION("sent when the device comes back") {
    CollectorFixture c(actions.config());
    const auto tech = c.login_as("tom", "technician");
    AgentFixture agent(c, "laptop");
    REQUIRE(agent.enroll().exit_code == 0);
    const auto ticket = ticket_for(c, agent.device_id(), tech);
    auto created = c.post(ticket_path(ticket, "/actions"),
                          {{"action", "echo-low"}, {"params", {{"text", "later"}}}}, tech);
    REQUIRE(created.status == 201);
    CHECK(created.body["state"] == "queued");
    const auto config = c.root() / "policy-laptop.toml";
    std::ofstream(config) << "[policy]\n" << allow_custom_line({kEchoLow});
    agent.start({"--config", config.string()});
    auto order = wait_final(c, created.body["id"].get<std::string>(), tech);
    CHECK(order["state"] == "succeeded");
    CHECK(order["output"]["stdout"] == "later\n");
  }
  SECTION("expired when it does not") {
    CollectorFixture c(actions.config("order_ttl_s = 2\nsweep_interval_ms = 200\n"));
    const auto tech = c.login_as("tom", "technician");
    AgentFixture agent(c, "laptop");
    REQUIRE(agent.enroll().exit_code == 0);
    const auto ticket = ticket_for(c, agent.device_id(), tech);
    auto created = c.post(ticket_path(ticket, "/actions"),
                          {{"action", "echo-low"}, {"params", {{"text", "never"}}}}, tech);
    REQUIRE(created.status == 201);
    const auto id = created.body["id"].get<std::string>();
    auto order = wait_final(c, id, tech);
    CHECK(order["state"] == "expired");
    CHECK_FALSE(order["reason"].get<std::string>().empty());
    const auto detail = c.get(ticket_path(ticket), tech).body;
    CHECK(find_event(detail, "action_expired", id) != nullptr);
  }
}
