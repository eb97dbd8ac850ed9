// Peer- and user-controlled text in the collector's log: a login name cannot forge log lines or
// send terminal escapes, and a webhook URL's path and query (where its secret lives) are never
// logged.

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;

TEST_CASE(
    "Login names, webhook URLs and agent hostnames go into logs raw: the collector log "
    "escapes them and drops URL paths",
    "[integration]") {
  CollectorFixture c;
  const std::string forged =
      "mallory\r\n2030-01-01 00:00:00.000 info  triage-collector: user "
      "admin logged in\x1b[2J";
  auto res = c.post("/api/v1/auth/login", {{"name", forged}, {"password", "x"}});
  CHECK(res.status == 401);

  auto hook = c.post("/api/v1/webhooks",
                     {{"url",
                       "https://hooks.example.com:9443/services/T0/B0/PathSecret7?token="
                       "QuerySecret7"},
                      {"events", {"ticket.created"}}},
                     c.admin_token());
  INFO(hook.text);
  REQUIRE(hook.status == 201);

  std::string log;
  REQUIRE(eventually([&] {
    log = c.process().stderr_text();
    return log.find("failed login for") != std::string::npos &&
           log.find("webhook " + std::to_string(hook.body["id"].get<std::int64_t>())) !=
               std::string::npos;
  }));
  INFO(log);
  CHECK(log.find("mallory\\r\\n2030-01-01") != std::string::npos);
  CHECK(log.find("mallory\r") == std::string::npos);
  CHECK(log.find("\n2030-01-01") == std::string::npos);
  CHECK(log.find('\x1b') == std::string::npos);
  CHECK(log.find("https://hooks.example.com:9443") != std::string::npos);
  CHECK(log.find("PathSecret7") == std::string::npos);
  CHECK(log.find("QuerySecret7") == std::string::npos);
}
