// Enrollment end to end: real collector, real agent CLI, real TLS with the CA pinned.

#include <catch2/catch.hpp>

#include "shared/util/files.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;

TEST_CASE("an agent enrolls with a valid token and comes online", "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  auto enrolled = agent.enroll();
  INFO(enrolled.err);
  REQUIRE(enrolled.exit_code == 0);
  REQUIRE_THAT(enrolled.out, Catch::Contains("enrolled as device"));
  const auto device_id = agent.device_id();
  REQUIRE(device_id.size() == 36);

  // The private key stays private on the endpoint.
  namespace fs = std::filesystem;
  auto perms = fs::status(agent.state_dir() / "device.key").permissions();
  CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);

  agent.start();
  REQUIRE(eventually([&] { return device_online(collector, device_id); }));

  auto device = collector.get("/api/v1/devices/" + device_id, collector.admin_token());
  REQUIRE(device.status == 200);
  CHECK(device.body["online"] == true);
  CHECK(device.body["agent_version"] == TRIAGE_VERSION_FOR_TESTS);
  CHECK_FALSE(device.body["hostname"].get<std::string>().empty());

  agent.stop();
  CHECK(eventually([&] { return !device_online(collector, device_id); }));
}

TEST_CASE("Enroll token only on the command line: an agent enrolls with --token-file and stdin",
          "[integration]") {
  CollectorFixture collector;
  auto token_file = collector.root() / "enroll.token";
  REQUIRE(triage::write_file_atomic(token_file, collector.create_token() + "\n", 0600));
  auto from_file =
      run_command({binary("triage-agent"), "enroll", "--server", collector.wss_url(),
                   "--token-file", token_file.string(), "--ca-sha256", collector.ca_sha256(),
                   "--state", (collector.root() / "by-file").string()},
                  collector.root());
  INFO(from_file.err);
  CHECK(from_file.exit_code == 0);
  CHECK_THAT(from_file.out, Catch::Contains("enrolled as device"));

  auto from_stdin = run_command(
      {binary("triage-agent"), "enroll", "--server", collector.wss_url(), "--token-stdin",
       "--ca-sha256", collector.ca_sha256(), "--state", (collector.root() / "by-stdin").string()},
      collector.root(), collector.create_token() + "\n");
  INFO(from_stdin.err);
  CHECK(from_stdin.exit_code == 0);
  CHECK_THAT(from_stdin.out, Catch::Contains("enrolled as device"));

  // Two sources at once is a usage error, before any connection.
  auto both = run_command({binary("triage-agent"), "enroll", "--server", collector.wss_url(),
                           "--token", "x", "--token-file", token_file.string(), "--ca-sha256",
                           collector.ca_sha256(), "--state", (collector.root() / "both").string()},
                          collector.root());
  CHECK(both.exit_code != 0);
  CHECK_FALSE(std::filesystem::exists(collector.root() / "both" / "enrollment.json"));
}

TEST_CASE("a made-up enrollment token is refused", "[integration]") {
  CollectorFixture collector;
  auto r = run_command({binary("triage-agent"), "enroll", "--server", collector.wss_url(),
                        "--token", "tri_000000000000_madeup", "--ca-sha256", collector.ca_sha256(),
                        "--state", (collector.root() / "state").string()},
                       collector.root());
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("refused") && Catch::Contains("token"));
  CHECK_FALSE(std::filesystem::exists(collector.root() / "state" / "enrollment.json"));
}

TEST_CASE("a token is good for its number of uses only", "[integration]") {
  CollectorFixture collector;
  auto token = collector.create_token(1);
  auto enroll = [&](const std::string& dir) {
    return run_command(
        {binary("triage-agent"), "enroll", "--server", collector.wss_url(), "--token", token,
         "--ca-sha256", collector.ca_sha256(), "--state", (collector.root() / dir).string()},
        collector.root());
  };
  CHECK(enroll("first").exit_code == 0);
  auto second = enroll("second");
  CHECK(second.exit_code != 0);
  CHECK_THAT(second.err, Catch::Contains("no uses left"));
}

TEST_CASE("an expired token is refused", "[integration]") {
  CollectorFixture collector;
  // Valid for one second and many uses: enroll fresh devices until the token stops working.
  auto token = collector.create_token(1000, "1s");
  CommandResult r;
  int attempt = 0;
  REQUIRE(eventually(
      [&] {
        r = run_command({binary("triage-agent"), "enroll", "--server", collector.wss_url(),
                         "--token", token, "--ca-sha256", collector.ca_sha256(), "--state",
                         (collector.root() / ("late" + std::to_string(++attempt))).string()},
                        collector.root());
        return r.exit_code != 0;
      },
      std::chrono::seconds(10)));
  CHECK_THAT(r.err, Catch::Contains("expired"));
}

TEST_CASE("the agent refuses a collector whose CA does not match the pin", "[integration]") {
  CollectorFixture collector;
  std::string wrong_pin(64, 'a');
  auto r = run_command({binary("triage-agent"), "enroll", "--server", collector.wss_url(),
                        "--token", collector.create_token(), "--ca-sha256", wrong_pin, "--state",
                        (collector.root() / "state").string()},
                       collector.root());
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("certificate rejected"));
  CHECK_FALSE(std::filesystem::exists(collector.root() / "state" / "enrollment.json"));
}

TEST_CASE("a malformed pin is a usage error, not a connection attempt", "[integration]") {
  CollectorFixture collector;
  auto r =
      run_command({binary("triage-agent"), "enroll", "--server", collector.wss_url(), "--token",
                   "x", "--ca-sha256", "abc", "--state", (collector.root() / "state").string()},
                  collector.root());
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("--ca-sha256"));
}

TEST_CASE("a malformed enrollment request is a clear 400, never a server error", "[integration]") {
  CollectorFixture collector;
  auto wrong_type = collector.post("/api/v1/enroll", {{"token", 42}, {"csr", "x"}});
  CHECK(wrong_type.status == 400);
  CHECK_THAT(wrong_type.text, Catch::Contains("token"));
  auto missing = collector.post("/api/v1/enroll", {{"token", "tri_x"}});
  CHECK(missing.status == 400);
  CHECK_THAT(missing.text, Catch::Contains("csr"));
  auto not_object = collector.send(triage::transport::http::verb::post, "/api/v1/enroll", "[1]");
  CHECK(not_object.status == 400);
  // Unknown fields are ignored (newer agents). The token is judged before the CSR: the CA
  // signs nothing, and parses nothing, for a caller without a usable token.
  auto extra = collector.post("/api/v1/enroll", {{"token", "tri_x"}, {"csr", "x"}, {"extra", 1}});
  CHECK(extra.status == 401);
  CHECK_THAT(extra.text, Catch::Contains("token"));
  auto bad_csr =
      collector.post("/api/v1/enroll", {{"token", collector.create_token()}, {"csr", "x"}});
  CHECK(bad_csr.status == 400);
  CHECK_THAT(bad_csr.text, Catch::Contains("csr"));
}

TEST_CASE("an admin creates, lists and revokes enrollment tokens over the API, audited",
          "[integration]") {
  CollectorFixture collector;
  const auto admin = collector.admin_token();
  const auto tech = collector.login_as("tom", "technician");
  auto enroll = [&](const std::string& token, const std::string& dir) {
    return run_command(
        {binary("triage-agent"), "enroll", "--server", collector.wss_url(), "--token", token,
         "--ca-sha256", collector.ca_sha256(), "--state", (collector.root() / dir).string()},
        collector.root());
  };

  CHECK(collector.post("/api/v1/enrollment-tokens", {{"uses", 2}}, tech).status == 403);
  CHECK(collector.get("/api/v1/enrollment-tokens", tech).status == 403);
  CHECK(collector.post("/api/v1/enrollment-tokens", {{"uses", 0}}, admin).status == 400);
  CHECK(collector.post("/api/v1/enrollment-tokens", {{"ttl", "soon"}}, admin).status == 400);
  CHECK(collector.post("/api/v1/enrollment-tokens", {{"ttl", "400d"}}, admin).status == 400);
  CHECK(collector.post("/api/v1/enrollment-tokens", {{"secret", "x"}}, admin).status == 400);

  auto created = collector.post("/api/v1/enrollment-tokens", {{"uses", 2}, {"ttl", "2h"}}, admin);
  INFO(created.text);
  REQUIRE(created.status == 201);
  const auto id = created.body["id"].get<std::string>();
  const auto secret = created.body["token"].get<std::string>();
  CHECK(created.body["max_uses"] == 2);
  CHECK(created.body["state"] == "active");
  CHECK(created.body["created_by"] == "user:admin");

  // The secret is shown once: the list has the id and counts, never the token or its hash.
  auto list = collector.get("/api/v1/enrollment-tokens", admin);
  REQUIRE(list.status == 200);
  REQUIRE(list.body["items"].size() == 1);
  CHECK(list.body["items"][0]["id"] == id);
  CHECK(list.text.find(secret) == std::string::npos);
  CHECK_FALSE(list.body["items"][0].contains("token"));
  CHECK_FALSE(list.body["items"][0].contains("token_hash"));

  CHECK(enroll(secret, "first").exit_code == 0);
  CHECK(collector.get("/api/v1/enrollment-tokens", admin).body["items"][0]["uses"] == 1);

  auto del = [&](const std::string& target) {
    return collector.send(triage::transport::http::verb::delete_, target, "",
                          {{"Authorization", "Bearer " + admin}});
  };
  auto revoked = del("/api/v1/enrollment-tokens/" + id);
  REQUIRE(revoked.status == 200);
  CHECK(collector.get("/api/v1/enrollment-tokens", admin).body["items"][0]["state"] == "revoked");
  auto refused = enroll(secret, "second");
  CHECK(refused.exit_code != 0);
  CHECK_THAT(refused.err, Catch::Contains("revoked"));
  CHECK(del("/api/v1/enrollment-tokens/000000000000").status == 404);
  CHECK(del("/api/v1/enrollment-tokens/zz").status == 404);

  auto created_audit = collector.get("/api/v1/audit?type=enrollment_token.created", admin);
  REQUIRE(created_audit.body["events"].size() == 1);
  CHECK(created_audit.body["events"][0]["actor"] == "admin");
  CHECK(created_audit.body["events"][0]["target"] == "enrollment_token:" + id);
  CHECK(created_audit.text.find(secret) == std::string::npos);
  auto revoked_audit = collector.get("/api/v1/audit?type=enrollment_token.revoked", admin);
  REQUIRE(revoked_audit.body["events"].size() == 1);
  CHECK(revoked_audit.body["events"][0]["target"] == "enrollment_token:" + id);
}

TEST_CASE("platform field: a Linux agent's device says platform linux in /api/v1/devices",
          "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device_id = agent.device_id();
  agent.start();
  REQUIRE(eventually([&] { return device_online(collector, device_id); }));
  auto listed = collector.get("/api/v1/devices", collector.admin_token());
  REQUIRE(listed.status == 200);
  REQUIRE(listed.body["devices"].size() == 1);
  CHECK(listed.body["devices"][0]["platform"] == "linux");
  auto one = collector.get("/api/v1/devices/" + device_id, collector.admin_token());
  CHECK(one.body["platform"] == "linux");
  agent.stop();
}
