// The action catalog managed over the API, end to end: a real collector and a real agent.
// An admin adds a custom action (validated like the built-in files), the connected agent
// runs it without reconnecting, a new version changes its hash and an order signed under the
// old one is refused by the agent; built-ins stay immutable; every step is in the audit log,
// and the custom action survives a restart without a new catalog.loaded record.

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

  auto created = call(c, http::verb::post, "/api/v1/actions", {{"definition", say_hi(1)}}, admin);
  INFO(created.text);
  REQUIRE(created.status == 201);
  CHECK(created.header("location") == "/api/v1/actions/say-hi");
  CHECK(created.body["source"] == "api");
  const auto v1_hash = created.body["sha256"].get<std::string>();
  REQUIRE(action_in(c.get("/api/v1/actions", tech).body, "say-hi") != nullptr);

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
  auto updated =
      call(c, http::verb::put, "/api/v1/actions/say-hi", {{"definition", say_hi(2)}}, admin);
  INFO(updated.text);
  REQUIRE(updated.status == 200);
  const auto v2_hash = updated.body["sha256"].get<std::string>();
  CHECK(v2_hash != v1_hash);
  CHECK(updated.body["version"] == 2);

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
  REQUIRE(catalog_events.size() == 3);
  CHECK(catalog_events[0]["type"] == "catalog.loaded");
  CHECK(catalog_events[1]["type"] == "catalog.action_created");
  CHECK(catalog_events[1]["target"] == "action:say-hi");
  CHECK(catalog_events[1]["details"]["new_sha256"] == v1_hash);
  CHECK(catalog_events[2]["type"] == "catalog.action_updated");
  CHECK(catalog_events[2]["actor"] == "admin");
  CHECK(catalog_events[2]["details"]["old_sha256"] == v1_hash);
  CHECK(catalog_events[2]["details"]["new_sha256"] == v2_hash);
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
  CHECK(audit_events(c, "catalog.").size() == 3);

  auto deleted = call(c, http::verb::delete_, "/api/v1/actions/say-hi", nullptr, admin);
  CHECK(deleted.status == 204);
  CHECK(action_in(c.get("/api/v1/actions", tech).body, "say-hi") == nullptr);
  catalog_events = audit_events(c, "catalog.");
  REQUIRE(catalog_events.size() == 4);
  CHECK(catalog_events[3]["type"] == "catalog.action_deleted");
  CHECK(catalog_events[3]["details"]["old_sha256"] == v2_hash);
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
