// A connected agent as operators see it through the API: online state, snapshots,
// revocation, reconnection after a collector restart.

#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;

TEST_CASE("the API refuses anonymous and bad tokens with JSON errors", "[integration]") {
  CollectorFixture collector;
  auto anonymous = collector.get("/api/v1/devices");
  CHECK(anonymous.status == 401);
  CHECK(anonymous.body["error"]["code"] == "unauthorized");
  auto forged = collector.get("/api/v1/devices", "not-a-real-token");
  CHECK(forged.status == 401);
  auto wrong = collector.post("/api/v1/auth/login", {{"name", "admin"}, {"password", "nope"}});
  CHECK(wrong.status == 401);
  auto health = collector.get("/healthz");
  CHECK(health.status == 200);
}

TEST_CASE("a viewer can list devices but cannot revoke them", "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  auto viewer = collector.login_as("lena", "viewer");
  auto list = collector.get("/api/v1/devices", viewer);
  REQUIRE(list.status == 200);
  CHECK(list.body["total"] == 1);
  auto revoke = collector.post("/api/v1/devices/" + agent.device_id() + "/revoke", {}, viewer);
  CHECK(revoke.status == 403);
  CHECK_THAT(revoke.body["error"]["message"].get<std::string>(), Catch::Contains("admin"));
}

TEST_CASE("the first snapshot reaches the collector and is served as reported", "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start();
  ApiResponse latest;
  REQUIRE(eventually([&] {
    latest = collector.get("/api/v1/devices/" + agent.device_id() + "/snapshots/latest",
                           collector.admin_token());
    return latest.status == 200;
  }));
  CHECK(latest.body["source"] == "reported by the endpoint");
  CHECK(latest.body["seq"].get<int>() >= 1);
  CHECK_FALSE(latest.body["snapshot"]["system"]["hostname"].get<std::string>().empty());
}

TEST_CASE("a revoked device is disconnected and refused from then on", "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  agent.start();
  REQUIRE(eventually([&] { return device_online(collector, id); }));

  auto revoke = collector.post("/api/v1/devices/" + id + "/revoke", {}, collector.admin_token());
  REQUIRE(revoke.status == 200);
  CHECK(revoke.body["revoked"] == true);
  REQUIRE(eventually([&] { return !device_online(collector, id); }));
  // The agent keeps retrying; each attempt is refused with the reason in both logs.
  CHECK(eventually(
      [&] { return agent.process()->stderr_text().find("was revoked") != std::string::npos; }));
  CHECK(eventually([&] {
    return collector.process().stderr_text().find("refused: device " + id + " was revoked") !=
           std::string::npos;
  }));
  CHECK_FALSE(device_online(collector, id));
}

TEST_CASE("the CLI revokes a device too", "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  auto r = collector.cli({"device", "revoke", agent.device_id()});
  CHECK(r.exit_code == 0);
  auto device = collector.get("/api/v1/devices/" + agent.device_id(), collector.admin_token());
  CHECK(device.body["revoked"] == true);
  auto unknown = collector.cli({"device", "revoke", "no-such-device"});
  CHECK(unknown.exit_code != 0);
  CHECK_THAT(unknown.err, Catch::Contains("no device"));
}

TEST_CASE("agents come back after the collector restarts", "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  agent.start();
  REQUIRE(eventually([&] { return device_online(collector, id); }));
  collector.stop();
  collector.start();
  CHECK(eventually([&] { return device_online(collector, id); }, std::chrono::seconds(30)));
}

TEST_CASE("the device list filters and pages", "[integration]") {
  CollectorFixture collector;
  AgentFixture a(collector, "a"), b(collector, "b"), c(collector, "c");
  for (auto* agent : {&a, &b, &c}) REQUIRE(agent->enroll().exit_code == 0);
  a.start();
  REQUIRE(eventually([&] { return device_online(collector, a.device_id()); }));
  const auto& token = collector.admin_token();

  auto online = collector.get("/api/v1/devices?online=true", token);
  REQUIRE(online.status == 200);
  CHECK(online.body["total"] == 1);
  CHECK(online.body["devices"][0]["id"] == a.device_id());
  CHECK(collector.get("/api/v1/devices?online=false", token).body["total"] == 2);

  auto page1 = collector.get("/api/v1/devices?limit=2&offset=0", token);
  auto page2 = collector.get("/api/v1/devices?limit=2&offset=2", token);
  CHECK(page1.body["total"] == 3);
  CHECK(page1.body["devices"].size() == 2);
  CHECK(page2.body["devices"].size() == 1);

  auto by_id = collector.get("/api/v1/devices?q=" + b.device_id().substr(0, 8), token);
  CHECK(by_id.body["total"] == 1);
  CHECK(by_id.body["devices"][0]["id"] == b.device_id());

  auto bad = collector.get("/api/v1/devices?limit=0", token);
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body["error"]["message"].get<std::string>(), Catch::Contains("limit"));
  CHECK(collector.get("/api/v1/devices?online=maybe", token).status == 400);
}
