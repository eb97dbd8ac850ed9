// The inbound integration webhook over real HTTPS against a real collector process: an
// external helpdesk creates and updates tickets by its own id, deliveries repeated by the
// sender change nothing, comments are added once, and only API tokens may call it.

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;
namespace http = triage::transport::http;

namespace {

constexpr const char* kPath = "/api/v1/integrations/tickets";

std::string error_code(const ApiResponse& r) {
  if (r.body.is_discarded() || !r.body.contains("error")) return "(no JSON error)";
  return r.body["error"]["code"].get<std::string>();
}

/// An API token of a service account named `user`, as an integration would hold it.
std::string integration_token(CollectorFixture& c, const std::string& user,
                              const std::string& role) {
  auto account = c.post("/api/v1/users", {{"name", user}, {"role", role}, {"kind", "service"}},
                        c.admin_token());
  INFO(account.text);
  REQUIRE(account.status == 201);
  auto created = c.post("/api/v1/auth/tokens", {{"user", user}, {"name", user + "-connector"}},
                        c.admin_token());
  INFO(created.text);
  REQUIRE(created.status == 201);
  return created.body["token"].get<std::string>();
}

std::size_t count_events(const nlohmann::json& ticket, const std::string& kind) {
  std::size_t n = 0;
  for (const auto& e : ticket["timeline"]) n += e["kind"] == kind ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("inbound webhook: create by external id, repeat is a no-op, update, comment once") {
  CollectorFixture collector;
  const auto token = integration_token(collector, "servicedesk", "technician");

  const nlohmann::json first = {{"external_system", "servicenow"},
                                {"external_id", "INC0012345"},
                                {"title", "VPN drops every hour"},
                                {"description", "User reports disconnects since Monday"},
                                {"requester", "alice@example.com"},
                                {"priority", "P2"},
                                {"comment", {{"id", "c-1"}, {"text", "Opened by phone"}}}};
  auto created = collector.post(kPath, first, token);
  INFO(created.text);
  REQUIRE(created.status == 201);
  CHECK(created.body["created"] == true);
  CHECK(created.body["comment_added"] == true);
  const auto id = created.body["ticket"]["id"].get<std::int64_t>();
  CHECK(created.header("location") == "/api/v1/tickets/" + std::to_string(id));
  CHECK(created.body["ticket"]["source"] == "integration");
  CHECK(created.body["ticket"]["priority"] == "P2");
  CHECK(created.body["ticket"]["external"]["system"] == "servicenow");
  CHECK(created.body["ticket"]["external"]["id"] == "INC0012345");

  // The sender retries the same delivery (its own timeout fired): same ticket, nothing new.
  auto repeated = collector.post(kPath, first, token);
  INFO(repeated.text);
  REQUIRE(repeated.status == 200);
  CHECK(repeated.body["created"] == false);
  CHECK(repeated.body["changed"].empty());
  CHECK(repeated.body["comment_added"] == false);
  CHECK(repeated.body["ticket"]["id"] == id);

  auto detail = collector.get("/api/v1/tickets/" + std::to_string(id), collector.admin_token());
  REQUIRE(detail.status == 200);
  CHECK(count_events(detail.body, "note") == 1);
  CHECK(count_events(detail.body, "created") == 1);

  // Later: priority raised, a new public comment, the ticket is worked on there.
  auto updated = collector.post(kPath,
                                {{"external_system", "servicenow"},
                                 {"external_id", "INC0012345"},
                                 {"priority", 1},
                                 {"status", "open"},
                                 {"comment", {{"id", "c-2"}, {"text", "Now every 10 minutes"}}}},
                                token);
  INFO(updated.text);
  REQUIRE(updated.status == 200);
  CHECK(updated.body["changed"] == nlohmann::json({"priority", "status"}));
  CHECK(updated.body["comment_added"] == true);
  CHECK(updated.body["ticket"]["priority"] == "P1");
  CHECK(updated.body["ticket"]["status"] == "open");

  detail = collector.get("/api/v1/tickets/" + std::to_string(id), collector.admin_token());
  CHECK(count_events(detail.body, "note") == 2);
  CHECK(count_events(detail.body, "priority_change") == 1);

  // Closed there: closed here too, by way of resolved.
  auto closed = collector.post(
      kPath,
      {{"external_system", "servicenow"}, {"external_id", "INC0012345"}, {"status", "closed"}},
      token);
  INFO(closed.text);
  REQUIRE(closed.status == 200);
  CHECK(closed.body["ticket"]["status"] == "closed");
  // A repeat of the close on a closed ticket is still fine (nothing to change)...
  CHECK(collector
            .post(kPath,
                  {{"external_system", "servicenow"},
                   {"external_id", "INC0012345"},
                   {"status", "closed"}},
                  token)
            .status == 200);
  // ...but a real change is refused with a reason.
  auto late = collector.post(
      kPath,
      {{"external_system", "servicenow"}, {"external_id", "INC0012345"}, {"title", "Changed"}},
      token);
  CHECK(late.status == 409);
  CHECK(error_code(late) == "conflict");

  // The same external id in another system is another ticket.
  auto other = collector.post(
      kPath, {{"external_system", "rt"}, {"external_id", "INC0012345"}, {"title", "From RT"}},
      token);
  REQUIRE(other.status == 201);
  CHECK(other.body["ticket"]["id"] != id);
}

TEST_CASE("inbound webhook: API tokens only, role, strict input") {
  CollectorFixture collector;
  const auto token = integration_token(collector, "servicedesk", "technician");
  const nlohmann::json body = {
      {"external_system", "servicenow"}, {"external_id", "INC1"}, {"title", "Printer"}};

  // A person's session (even an admin's) is not an integration.
  auto by_session = collector.post(kPath, body, collector.admin_token());
  CHECK(by_session.status == 403);
  CHECK(error_code(by_session) == "forbidden");
  CHECK(collector.post(kPath, body).status == 401);
  // A viewer's API token cannot change tickets.
  const auto viewer_token = integration_token(collector, "readonly", "viewer");
  CHECK(collector.post(kPath, body, viewer_token).status == 403);

  auto expect_400 = [&](const nlohmann::json& b, const std::string& mention) {
    auto r = collector.post(kPath, b, token);
    INFO(b.dump() << " -> " << r.text);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "invalid_request");
    CHECK_THAT(r.text, Catch::Contains(mention));
  };
  expect_400({{"external_id", "INC1"}, {"title", "x"}}, "external_system");
  expect_400({{"external_system", "servicenow"}, {"title", "x"}}, "external_id");
  expect_400({{"external_system", "service now"}, {"external_id", "1"}, {"title", "x"}},
             "external_system");
  expect_400({{"external_system", "sn"}, {"external_id", std::string(129, 'x')}, {"title", "x"}},
             "external_id");
  expect_400({{"external_system", "sn"}, {"external_id", "NEW-1"}}, "title");
  expect_400({{"external_system", "sn"}, {"external_id", "1"}, {"title", "x"}, {"sla", 1}}, "sla");
  expect_400({{"external_system", "sn"}, {"external_id", "1"}, {"title", "x"}, {"priority", 9}},
             "priority");
  expect_400({{"external_system", "sn"}, {"external_id", "1"}, {"title", "x"}, {"status", "done"}},
             "status");
  expect_400({{"external_system", "sn"},
              {"external_id", "1"},
              {"title", "x"},
              {"comment", {{"text", "no id"}}}},
             "comment");
  expect_400({{"external_system", "sn"},
              {"external_id", "1"},
              {"title", "x"},
              {"comment", {{"id", "1"}, {"text", "t"}, {"visibility", "secret"}}}},
             "visibility");
  // An unknown device is named, and nothing was created for it.
  auto unknown = collector.post(
      kPath,
      {{"external_system", "sn"}, {"external_id", "D1"}, {"title", "x"}, {"device_id", "nope"}},
      token);
  CHECK(unknown.status == 400);
  CHECK_THAT(unknown.text, Catch::Contains("unknown device"));
  auto listed = collector.get("/api/v1/tickets", collector.admin_token());
  REQUIRE(listed.status == 200);
  CHECK(listed.body["total"] == 0);

  // Text from the other system is stored and returned verbatim.
  const std::string hostile = "<script>alert(1)</script>'; DROP TABLE tickets; -- \xc3\xa9";
  auto stored = collector.post(kPath,
                               {{"external_system", "sn"},
                                {"external_id", "X1"},
                                {"title", hostile},
                                {"requester", hostile}},
                               token);
  REQUIRE(stored.status == 201);
  CHECK(stored.body["ticket"]["title"] == hostile);
  CHECK(stored.body["ticket"]["requester"] == hostile);
}
