// The action catalog managed over the API, end to end: a real collector and a real agent.
// An admin proposes a custom action (validated like the built-in files), a second admin
// approves it, the connected agent runs it without reconnecting, a new version changes its
// hash and an order signed under the old one is refused by the agent; built-ins stay
// immutable; every step is in the audit log, and the custom action survives a restart
// without a new catalog.loaded record.

#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/action_pins.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace http = triage::transport::http;

namespace {

std::string say_hi(int version, const std::string& risk = "low") {
  return "id = \"say-hi\"\nversion = " + std::to_string(version) +
         "\ntitle = \"Say hi (test)\"\nargv = [\"/bin/echo\", \"hi\", \"v" +
         std::to_string(version) + "\"]\nrisk = \"" + risk + "\"\n";
}

ApiResponse call(CollectorFixture& c, http::verb verb, const std::string& target,
                 const nlohmann::json& body, const std::string& token) {
  return c.send(verb, target, body.is_null() ? "" : body.dump(),
                {{"Authorization", "Bearer " + token}});
}

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

const nlohmann::json* action_in(const nlohmann::json& catalog, const std::string& id) {
  for (const auto& a : catalog["items"]) {
    if (a["id"] == id) return &a;
  }
  return nullptr;
}

/// `proposal` (a 202 answer) approved by `approver`: the action as the catalog lists it now.
ApiResponse approve(CollectorFixture& c, const ApiResponse& proposal, const std::string& approver) {
  INFO(proposal.text);
  REQUIRE(proposal.status == 202);
  const auto id = std::to_string(proposal.body["id"].get<std::int64_t>());
  CHECK(proposal.header("location") == "/api/v1/actions/proposals/" + id);
  auto r =
      c.post("/api/v1/actions/proposals/" + id + "/approve", nlohmann::json::object(), approver);
  INFO(r.text);
  REQUIRE(r.status == 200);
  CHECK(r.body["status"] == "activated");
  return r;
}

/// Audit events of a type prefix, oldest first.
std::vector<nlohmann::json> audit_events(CollectorFixture& c, const std::string& type) {
  auto page = c.get("/api/v1/audit?limit=1000&type=" + type, c.admin_token());
  REQUIRE(page.status == 200);
  std::vector<nlohmann::json> out(page.body["events"].rbegin(), page.body["events"].rend());
  return out;
}

std::string order_on(CollectorFixture& c, std::int64_t ticket, const std::string& action,
                     const std::string& token) {
  auto r =
      c.post("/api/v1/tickets/" + std::to_string(ticket) + "/actions", {{"action", action}}, token);
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::string>();
}

}  // namespace

TEST_CASE("an admin manages custom actions, agents follow the catalog live, all audited",
          "[integration][actions]") {
  CollectorFixture c;
  const auto& admin = c.admin_token();
  const auto ines = c.login_as("ines", "admin");
  const auto tech = c.login_as("tom", "technician");
  AgentFixture agent(c, "pc");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto config = c.root() / "agent-policy.toml";
  // The endpoint's owner pins both versions the test installs.
  std::ofstream(config) << "[probes]\nenabled = false\n[policy]\nmax_risk = \"low\"\n"
                        << allow_custom_line({say_hi(1), say_hi(2)});
  agent.start({"--config", config.string()});
  const auto device = agent.device_id();
  REQUIRE(eventually([&] { return device_online(c, device); }, 30s));
  auto ticket_reply = c.post("/api/v1/tickets", {{"title", "greet"}, {"device_id", device}}, tech);
  REQUIRE(ticket_reply.status == 201);
  const auto ticket = ticket_reply.body["id"].get<std::int64_t>();

  // Only admins change the catalog; definitions are validated like the built-in files.
  CHECK(call(c, http::verb::post, "/api/v1/actions", {{"definition", say_hi(1)}}, tech).status ==
        403);
  auto bad = call(c, http::verb::post, "/api/v1/actions",
                  {{"definition", say_hi(1, "catastrophic")}}, admin);
  CHECK(bad.status == 400);
  CHECK_THAT(bad.text, Catch::Contains("`risk`"));
  auto glued = call(c, http::verb::post, "/api/v1/actions",
                    {{"definition",
                      "id = \"x\"\nversion = 1\ntitle = \"x\"\nargv = [\"/bin/echo\", "
                      "\"a{p}\"]\nrisk = \"low\"\n[params.p]\ntype = \"integer\"\nmin = 1\nmax = "
                      "2\n"}},
                    admin);
  CHECK(glued.status == 400);
  CHECK(call(c, http::verb::post, "/api/v1/actions", {{"definition", 7}}, admin).status == 400);
  // Built-ins are immutable and cannot be shadowed.
  auto shadow = call(c, http::verb::post, "/api/v1/actions",
                     {{"definition",
                       "id = \"reboot\"\nversion = 2\ntitle = \"r\"\nargv = "
                       "[\"/bin/echo\"]\nrisk = \"low\"\n"}},
                     admin);
  CHECK(shadow.status == 409);
  CHECK(call(c, http::verb::put, "/api/v1/actions/flush-dns",
             {{"definition",
               "id = \"flush-dns\"\nversion = 9\ntitle = \"f\"\nargv = "
               "[\"/bin/echo\"]\nrisk = \"low\"\n"}},
             admin)
            .status == 409);
  CHECK(call(c, http::verb::delete_, "/api/v1/actions/reboot", nullptr, admin).status == 409);
  CHECK(call(c, http::verb::delete_, "/api/v1/actions/nope", nullptr, admin).status == 404);

  auto proposed = call(c, http::verb::post, "/api/v1/actions", {{"definition", say_hi(1)}}, admin);
  CHECK(proposed.body["status"] == "pending");
  CHECK(action_in(c.get("/api/v1/actions", tech).body, "say-hi") == nullptr);
  approve(c, proposed, ines);
  const auto after_approval = c.get("/api/v1/actions", tech).body;
  const auto* listed = action_in(after_approval, "say-hi");
  REQUIRE(listed != nullptr);
  CHECK((*listed)["source"] == "api");
  const auto v1_hash = (*listed)["sha256"].get<std::string>();
  CHECK(proposed.body["sha256"] == v1_hash);

  // The connected agent got the new catalog without reconnecting: it runs the action.
  auto first = wait_final(c, order_on(c, ticket, "say-hi", tech), tech);
  CHECK(first["state"] == "succeeded");
  CHECK(first["output"]["stdout"] == "hi v1\n");

  // An order signed under version 1 waits while the agent is away; version 2 replaces it.
  agent.stop();
  REQUIRE(eventually([&] { return !device_online(c, device); }, 30s));
  const auto pending = order_on(c, ticket, "say-hi", tech);
  CHECK(call(c, http::verb::put, "/api/v1/actions/say-hi", {{"definition", say_hi(1)}}, admin)
            .status == 400);  // the version must grow
  auto proposed_v2 =
      call(c, http::verb::put, "/api/v1/actions/say-hi", {{"definition", say_hi(2)}}, admin);
  const auto updated = approve(c, proposed_v2, ines);
  const auto v2_hash = updated.body["sha256"].get<std::string>();
  CHECK(v2_hash != v1_hash);
  CHECK(updated.body["version"] == 2);
  CHECK(updated.body["base_sha256"] == v1_hash);

  // Back online: the HelloAck's catalog lists version 2 only, so the old order is refused.
  agent.start({"--config", config.string()});
  auto refused = wait_final(c, pending, tech);
  CHECK(refused["state"] == "refused");
  CHECK(refused["definition_sha256"] == v1_hash);
  CHECK_THAT(refused["reason"].get<std::string>(), Catch::Contains("definition hash"));
  auto second = wait_final(c, order_on(c, ticket, "say-hi", tech), tech);
  CHECK(second["state"] == "succeeded");
  CHECK(second["output"]["stdout"] == "hi v2\n");

  // Every step is audited: catalog changes with old and new hash, order transitions with
  // the agent's refusal reason.
  auto catalog_events = audit_events(c, "catalog.");
  REQUIRE(catalog_events.size() == 5);
  CHECK(catalog_events[0]["type"] == "catalog.loaded");
  CHECK(catalog_events[1]["type"] == "catalog.proposed");
  CHECK(catalog_events[1]["actor"] == "admin");
  CHECK(catalog_events[2]["type"] == "catalog.action_created");
  CHECK(catalog_events[2]["actor"] == "ines");
  CHECK(catalog_events[2]["target"] == "action:say-hi");
  CHECK(catalog_events[2]["details"]["proposed_by"] == "admin");
  CHECK(catalog_events[2]["details"]["new_sha256"] == v1_hash);
  CHECK(catalog_events[3]["type"] == "catalog.proposed");
  CHECK(catalog_events[4]["type"] == "catalog.action_updated");
  CHECK(catalog_events[4]["actor"] == "ines");
  CHECK(catalog_events[4]["details"]["old_sha256"] == v1_hash);
  CHECK(catalog_events[4]["details"]["new_sha256"] == v2_hash);
  auto refused_events = audit_events(c, "order.refused");
  REQUIRE(refused_events.size() == 1);
  CHECK(refused_events[0]["target"] == "order:" + pending);
  CHECK(refused_events[0]["actor"] == device);
  CHECK(refused_events[0]["outcome"] == "denied");
  CHECK_THAT(refused_events[0]["details"]["reason"].get<std::string>(),
             Catch::Contains("definition hash"));
  std::vector<std::string> first_types;
  for (const auto& e : audit_events(c, "order.")) {
    if (e["target"] == "order:" + first["id"].get<std::string>()) {
      first_types.push_back(e["type"]);
      CHECK(e["details"]["definition_sha256"] == v1_hash);
      CHECK(e["details"]["ticket_id"] == ticket);
    }
  }
  CHECK(first_types ==
        std::vector<std::string>{"order.requested", "order.sent", "order.succeeded"});

  // The custom action survives a restart; the unchanged catalog adds no catalog.loaded.
  agent.stop();
  c.stop();
  c.start();
  const auto after_restart = c.get("/api/v1/actions", tech).body;
  const auto* kept = action_in(after_restart, "say-hi");
  REQUIRE(kept != nullptr);
  CHECK((*kept)["sha256"] == v2_hash);
  CHECK(audit_events(c, "catalog.").size() == 5);

  auto deleting = call(c, http::verb::delete_, "/api/v1/actions/say-hi", nullptr, admin);
  CHECK(deleting.body["change"] == "delete");
  CHECK(action_in(c.get("/api/v1/actions", tech).body, "say-hi") != nullptr);
  approve(c, deleting, ines);
  CHECK(action_in(c.get("/api/v1/actions", tech).body, "say-hi") == nullptr);
  catalog_events = audit_events(c, "catalog.");
  REQUIRE(catalog_events.size() == 7);
  CHECK(catalog_events[6]["type"] == "catalog.action_deleted");
  CHECK(catalog_events[6]["details"]["old_sha256"] == v2_hash);
}

TEST_CASE("over the API, a custom action is not runnable until a second admin approves it",
          "[integration][actions]") {
  CollectorFixture c;
  const auto& admin = c.admin_token();
  const auto ines = c.login_as("ines", "admin");
  const auto sara = c.login_as("sara", "senior");
  const auto tech = c.login_as("tom", "technician");
  auto ticket = c.post("/api/v1/tickets", {{"title", "greet"}}, tech);
  REQUIRE(ticket.status == 201);
  const auto ticket_id = std::to_string(ticket.body["id"].get<std::int64_t>());

  // The attack: one admin adds a low-risk, no-approval action and orders it at once.
  auto proposed = call(c, http::verb::post, "/api/v1/actions", {{"definition", say_hi(1)}}, admin);
  INFO(proposed.text);
  REQUIRE(proposed.status == 202);
  const auto id = std::to_string(proposed.body["id"].get<std::int64_t>());
  auto early = c.post("/api/v1/tickets/" + ticket_id + "/actions", {{"action", "say-hi"}}, admin);
  CHECK(early.status == 400);
  CHECK_THAT(early.text, Catch::Contains("no action `say-hi` in the catalog"));
  // A second proposal for the same id waits for the first to be decided.
  CHECK(call(c, http::verb::post, "/api/v1/actions", {{"definition", say_hi(1)}}, ines).status ==
        409);

  // Listed for reviewers (senior and up), with what it would run.
  CHECK(c.get("/api/v1/actions/proposals", tech).status == 403);
  auto pending = c.get("/api/v1/actions/proposals", sara);
  REQUIRE(pending.status == 200);
  REQUIRE(pending.body["items"].size() == 1);
  CHECK(pending.body["items"][0]["action_id"] == "say-hi");
  CHECK(pending.body["items"][0]["proposed"]["user"] == "admin");
  CHECK(pending.body["items"][0]["argv"] == nlohmann::json::array({"/bin/echo", "hi", "v1"}));
  CHECK(c.get("/api/v1/actions/proposals/" + id, sara).body["definition"] == say_hi(1));

  // The proposer cannot approve their own proposal, not even with another credential.
  auto own =
      c.post("/api/v1/actions/proposals/" + id + "/approve", nlohmann::json::object(), admin);
  CHECK(own.status == 403);
  CHECK_THAT(own.text, Catch::Contains("proposer"));
  const auto admin_again =
      c.post("/api/v1/auth/login", {{"name", "admin"}, {"password", "correct horse battery admin"}})
          .body["token"]
          .get<std::string>();
  CHECK(
      c.post("/api/v1/actions/proposals/" + id + "/approve", nlohmann::json::object(), admin_again)
          .status == 403);
  CHECK(c.post("/api/v1/actions/proposals/" + id + "/approve", nlohmann::json::object(), tech)
            .status == 403);
  CHECK(action_in(c.get("/api/v1/actions", tech).body, "say-hi") == nullptr);

  // A senior approves: now it is in the catalog and runs through the normal order flow.
  auto approved =
      c.post("/api/v1/actions/proposals/" + id + "/approve", nlohmann::json::object(), sara);
  INFO(approved.text);
  REQUIRE(approved.status == 200);
  CHECK(approved.body["decided"]["user"] == "sara");
  CHECK(action_in(c.get("/api/v1/actions", tech).body, "say-hi") != nullptr);
  CHECK(c.post("/api/v1/actions/proposals/" + id + "/approve", nlohmann::json::object(), ines)
            .status == 409);

  // Rejected and withdrawn proposals change nothing.
  auto v2 = call(c, http::verb::put, "/api/v1/actions/say-hi", {{"definition", say_hi(2)}}, admin);
  REQUIRE(v2.status == 202);
  const auto v2_id = std::to_string(v2.body["id"].get<std::int64_t>());
  auto rejected =
      c.post("/api/v1/actions/proposals/" + v2_id + "/reject", {{"reason", "why v2?"}}, ines);
  REQUIRE(rejected.status == 200);
  CHECK(rejected.body["status"] == "rejected");
  auto del = call(c, http::verb::delete_, "/api/v1/actions/say-hi", nullptr, admin);
  REQUIRE(del.status == 202);
  const auto del_id = std::to_string(del.body["id"].get<std::int64_t>());
  auto withdrawn =
      c.post("/api/v1/actions/proposals/" + del_id + "/reject", nlohmann::json::object(), admin);
  REQUIRE(withdrawn.status == 200);
  CHECK(withdrawn.body["status"] == "withdrawn");
  const auto in_force = c.get("/api/v1/actions", tech).body;
  const auto* kept = action_in(in_force, "say-hi");
  REQUIRE(kept != nullptr);
  CHECK((*kept)["version"] == 1);

  // Both steps of every change are in the audit log, hash-chained.
  std::vector<std::string> types;
  for (const auto& e : audit_events(c, "catalog.")) types.push_back(e["type"]);
  CHECK(types == std::vector<std::string>{"catalog.loaded", "catalog.proposed",
                                          "catalog.action_created", "catalog.proposed",
                                          "catalog.proposal_rejected", "catalog.proposed",
                                          "catalog.proposal_withdrawn"});
  c.stop();
  auto verified = c.cli({"audit", "verify"});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
}

TEST_CASE("over the API, a custom action cannot rate itself below its argv's floor",
          "[integration][actions]") {
  CollectorFixture c;
  auto low_root = call(c, http::verb::post, "/api/v1/actions",
                       {{"definition",
                         "id = \"stop-fw\"\nversion = 1\ntitle = \"t\"\nargv = "
                         "[\"/usr/sbin/nft\", \"flush\", \"ruleset\"]\nrisk = \"low\"\n"}},
                       c.admin_token());
  INFO(low_root.text);
  CHECK(low_root.status == 400);
  CHECK_THAT(low_root.text, Catch::Contains("/usr/sbin/nft"));
  CHECK_THAT(low_root.text, Catch::Contains("risk = \\\"medium\\\" or higher"));
  CHECK(c.get("/api/v1/actions/proposals?status=all", c.admin_token()).body["items"].empty());
}

TEST_CASE("webhook subscription changes are audited without the secret or the URL's path",
          "[integration][webhooks]") {
  CollectorFixture c;
  const auto& admin = c.admin_token();
  auto created = c.post("/api/v1/webhooks",
                        {{"name", "helpdesk"},
                         {"url", "https://127.0.0.1:9/hooks/SECRET-IN-PATH"},
                         {"events", {"ticket.created"}}},
                        admin);
  INFO(created.text);
  REQUIRE(created.status == 201);
  const auto id = std::to_string(created.body["id"].get<std::int64_t>());
  const auto secret = created.body["secret"].get<std::string>();
  REQUIRE(c.patch("/api/v1/webhooks/" + id, {{"active", false}}, admin).status == 200);
  auto rotated = c.post("/api/v1/webhooks/" + id + "/secret", nlohmann::json::object(), admin);
  INFO(rotated.text);
  REQUIRE(rotated.status == 200);
  const auto new_secret = rotated.body["secret"].get<std::string>();
  REQUIRE(call(c, http::verb::delete_, "/api/v1/webhooks/" + id, nullptr, admin).status == 204);

  auto events = audit_events(c, "webhook.");
  std::vector<std::string> types;
  for (const auto& e : events) {
    types.push_back(e["type"]);
    CHECK(e["target"] == "webhook:" + id);
    CHECK(e["actor"] == "admin");
    const auto text = e.dump();
    CHECK(text.find(secret) == std::string::npos);
    CHECK(text.find(new_secret) == std::string::npos);
    CHECK(text.find("SECRET-IN-PATH") == std::string::npos);
    CHECK(e["details"]["url_origin"] == "https://127.0.0.1:9");
  }
  CHECK(types == std::vector<std::string>{"webhook.created", "webhook.updated",
                                          "webhook.secret_rotated", "webhook.deleted"});
  CHECK(events[1]["details"]["changed"] == nlohmann::json::array({"active"}));
  CHECK(events[1]["details"]["active"] == false);
}
