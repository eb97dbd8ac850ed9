// Changes that were made without an audit record, and credentials that followed a connector
// to a new address: a real collector over HTTPS. Device owner and tags, links to an external
// helpdesk's tickets and webhook redeliveries are audited; an RT connector's credentials
// are given again when its URL changes; a webhook moved to a new URL keeps signing.

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"
#include "tests/support/https_receiver.hpp"

using namespace triage::testing;

namespace {

/// Audit events of a type prefix, oldest first.
std::vector<nlohmann::json> audit_events(CollectorFixture& c, const std::string& type) {
  auto page = c.get("/api/v1/audit?limit=1000&type=" + type, c.admin_token());
  REQUIRE(page.status == 200);
  return {page.body["events"].rbegin(), page.body["events"].rend()};
}

std::int64_t new_ticket(CollectorFixture& c, const std::string& title) {
  auto r = c.post("/api/v1/tickets", {{"title", title}}, c.admin_token());
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

/// An RT connector at an address nothing answers on, inactive: only its settings matter here.
std::int64_t rt_connector(CollectorFixture& c, const std::string& url) {
  auto r = c.post("/api/v1/connectors",
                  {{"kind", "rt"},
                   {"name", "helpdesk RT"},
                   {"url", url},
                   {"active", false},
                   {"credentials", {{"username", "triage"}, {"password", "rt-secret-1"}}}},
                  c.admin_token());
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::int64_t>();
}

std::string webhook_config(const std::filesystem::path& ca_file) {
  return "[webhooks]\nextra_ca_file = \"" + ca_file.string() +
         "\"\nconnect_timeout_ms = 1000\nrequest_timeout_ms = 2000\n"
         "[outbox]\nretry_base_ms = 100\nretry_cap_ms = 400\npoll_interval_ms = 200\n";
}

nlohmann::json deliveries(CollectorFixture& c, std::int64_t id) {
  auto res = c.get("/api/v1/webhooks/" + std::to_string(id) + "/deliveries", c.admin_token());
  REQUIRE(res.status == 200);
  return res.body["deliveries"];
}

}  // namespace

TEST_CASE("device owner and tag changes are audited", "[integration][audit]") {
  CollectorFixture c;
  AgentFixture agent(c, "pc");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto tech = c.login_as("tom", "technician");
  const auto path = "/api/v1/devices/" + agent.device_id();
  REQUIRE(c.patch(path, {{"owner", "ana@example.com"}, {"tags", {"finance"}}}, tech).status == 200);
  REQUIRE(c.patch(path, {{"tags", {"finance", "laptop"}}}, tech).status == 200);
  CHECK(c.patch(path, {{"tags", "not a list"}}, tech).status == 400);

  auto events = audit_events(c, "device.updated");
  REQUIRE(events.size() == 2);
  CHECK(events[0]["actor"] == "tom");
  CHECK(events[0]["target"] == "device:" + agent.device_id());
  CHECK(events[0]["details"]["changed"] == nlohmann::json({"owner", "tags"}));
  CHECK(events[0]["details"]["owner"]["from"] == "");
  CHECK(events[0]["details"]["owner"]["to"] == "ana@example.com");
  CHECK(events[1]["details"]["changed"] == nlohmann::json({"tags"}));
  CHECK(events[1]["details"]["tags"]["from"] == nlohmann::json({"finance"}));
  CHECK(events[1]["details"]["tags"]["to"] == nlohmann::json({"finance", "laptop"}));
}

TEST_CASE("links to an external helpdesk's tickets are audited", "[integration][audit]") {
  CollectorFixture c;
  const auto tech = c.login_as("tom", "technician");
  const auto connector = rt_connector(c, "https://127.0.0.1:9/rt");
  const auto ticket = new_ticket(c, "Printer jams");
  const auto link_path = "/api/v1/tickets/" + std::to_string(ticket) + "/external-links";
  auto first = c.post(link_path, {{"connector", connector}, {"external_id", "41"}}, tech);
  INFO(first.text);
  REQUIRE(first.status == 200);
  // Linked already: refused, and nothing is recorded for it.
  CHECK(c.post(link_path, {{"connector", connector}, {"external_id", "42"}}, tech).status == 409);
  const auto other = new_ticket(c, "Scanner offline");
  REQUIRE(c.post("/api/v1/tickets/" + std::to_string(other) + "/external-links",
                 {{"connector", connector}, {"external_id", "42"}}, tech)
              .status == 200);

  // An external helpdesk creating a ticket under its own id links it too.
  auto token =
      c.post("/api/v1/auth/tokens", {{"user", "admin"}, {"name", "helpdesk"}}, c.admin_token());
  REQUIRE(token.status == 201);
  auto inbound =
      c.post("/api/v1/integrations/tickets",
             {{"external_system", "servicenow"}, {"external_id", "INC-7"}, {"title", "VPN drops"}},
             token.body["token"].get<std::string>());
  INFO(inbound.text);
  REQUIRE(inbound.status == 201);
  const auto inbound_ticket = inbound.body["ticket"]["id"].get<std::int64_t>();

  auto events = audit_events(c, "ticket.external_linked");
  REQUIRE(events.size() == 3);
  CHECK(events[0]["actor"] == "tom");
  CHECK(events[0]["target"] == "ticket:" + std::to_string(ticket));
  CHECK(events[0]["details"]["external_id"] == "41");
  CHECK(events[0]["details"]["connector"] == connector);
  CHECK_FALSE(events[0]["details"].contains("previous"));
  CHECK(events[1]["target"] == "ticket:" + std::to_string(other));
  CHECK(events[1]["details"]["external_id"] == "42");
  CHECK(events[2]["actor"] == "admin");
  CHECK(events[2]["target"] == "ticket:" + std::to_string(inbound_ticket));
  CHECK(events[2]["details"]["system"] == "servicenow");
  CHECK(events[2]["details"]["external_id"] == "INC-7");
}

TEST_CASE("a webhook redelivery is audited, and a webhook moved to a new URL keeps signing",
          "[integration][audit][webhooks]") {
  TempDir tmp;
  HttpsReceiver receiver(tmp.path() / "receiver-ca.pem");
  receiver.start();
  CollectorFixture c(webhook_config(tmp.path() / "receiver-ca.pem"));
  const auto& admin = c.admin_token();
  auto hook = c.post("/api/v1/webhooks",
                     {{"url", receiver.url("/first")}, {"events", {"ticket.created"}}}, admin);
  INFO(hook.text);
  REQUIRE(hook.status == 201);
  const auto id = hook.body["id"].get<std::int64_t>();
  const auto path = "/api/v1/webhooks/" + std::to_string(id);

  receiver.set_status(422);
  new_ticket(c, "Keyboard sticky");
  REQUIRE(eventually([&] {
    auto log = deliveries(c, id);
    return log.size() == 1 && log[0]["status"] == "failed";
  }));
  const auto failed = deliveries(c, id)[0];
  const auto did = failed["id"].get<std::string>();

  // Moved to a new URL on the same receiver: the signing secret is sealed again for it, so
  // the redelivery still goes out (a secret that no longer opened would fail it).
  REQUIRE(c.patch(path, {{"url", receiver.url("/second")}}, admin).status == 200);
  receiver.set_status(200);
  auto again = c.post(path + "/deliveries/" + did + "/redeliver", nlohmann::json::object(), admin);
  INFO(again.text);
  REQUIRE(again.status == 202);
  REQUIRE(eventually([&] { return deliveries(c, id)[0]["status"] == "delivered"; }));
  bool to_second = false;
  for (const auto& r : receiver.requests()) to_second = to_second || r.target == "/second";
  CHECK(to_second);

  auto events = audit_events(c, "webhook.redelivered");
  REQUIRE(events.size() == 1);
  CHECK(events[0]["actor"] == "admin");
  CHECK(events[0]["target"] == "webhook:" + std::to_string(id));
  CHECK(events[0]["details"]["delivery_id"] == did);
  CHECK(events[0]["details"]["event_id"] == failed["event_id"]);
  CHECK(events[0]["details"]["event_type"] == "ticket.created");
  CHECK(events[0]["details"]["url_origin"] == receiver.url(""));
}

TEST_CASE("changing an RT connector's URL requires its credentials again", "[integration][audit]") {
  CollectorFixture c;
  const auto& admin = c.admin_token();
  const auto id = rt_connector(c, "https://127.0.0.1:9/rt");
  const auto path = "/api/v1/connectors/" + std::to_string(id);

  auto moved = c.patch(path, {{"url", "https://attacker.example/rt"}}, admin);
  INFO(moved.text);
  CHECK(moved.status == 400);
  CHECK_THAT(moved.text, Catch::Contains("`credentials`"));
  CHECK(c.get(path, admin).body["url"] == "https://127.0.0.1:9/rt");

  // The same URL again, or other fields, need nothing new.
  CHECK(c.patch(path, {{"url", "https://127.0.0.1:9/rt"}, {"name", "RT"}}, admin).status == 200);
  auto with_credentials = c.patch(
      path,
      {{"url", "https://127.0.0.2:9/rt"}, {"credentials", {{"token", "new-token-for-new-host"}}}},
      admin);
  INFO(with_credentials.text);
  REQUIRE(with_credentials.status == 200);
  CHECK(with_credentials.body["url"] == "https://127.0.0.2:9/rt");
  CHECK(with_credentials.body["credentials_encrypted"] == true);
}
