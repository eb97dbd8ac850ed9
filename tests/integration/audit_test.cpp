// The audit log against a real collector over HTTPS: security-relevant events from the API,
// the CLI and agents appear in GET /api/v1/audit with actor and source address; only seniors
// and admins read it; `audit verify` passes on live data and fails after tampering.

#include <algorithm>
#include <fstream>
#include <sstream>

#include <sqlite3.h>
#include <catch2/catch.hpp>

#include "tests/support/collector_fixture.hpp"

using namespace triage::testing;

namespace {

const std::string kPassword = "correct horse battery staple";

nlohmann::json audit_events(CollectorFixture& c, const std::string& query = "") {
  auto res = c.get("/api/v1/audit" + query, c.admin_token());
  INFO(res.text);
  REQUIRE(res.status == 200);
  REQUIRE(res.body["events"].is_array());
  return res.body["events"];
}

/// The newest event of `type` (and `target`, when given), or null.
nlohmann::json find_event(const nlohmann::json& events, const std::string& type,
                          const std::string& target = "") {
  for (const auto& e : events) {
    if (e["type"] == type && (target.empty() || e["target"] == target)) return e;
  }
  return nullptr;
}

bool is_loopback_source(const nlohmann::json& e) {
  return e["source"].get<std::string>().rfind("127.0.0.1:", 0) == 0;
}

/// Raw SQL on the collector's database, as someone with write access to the file would run.
void raw_sql(CollectorFixture& c, const std::string& sql) {
  sqlite3* db = nullptr;
  const auto path = (c.data_dir() / "collector.db").string();
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("security events appear in the audit log with actor and source", "[integration]") {
  CollectorFixture c;
  const auto& admin = c.admin_token();

  // A failed login for a real name, then the admin's API work.
  auto failed = c.post("/api/v1/auth/login", {{"name", "admin"}, {"password", "not the one"}});
  REQUIRE(failed.status == 401);
  auto user = c.post("/api/v1/users",
                     {{"name", "tina"}, {"role", "technician"}, {"kind", "service"}}, admin);
  REQUIRE(user.status == 201);
  auto token = c.post("/api/v1/auth/tokens", {{"user", "tina"}, {"name", "rt-connector"}}, admin);
  REQUIRE(token.status == 201);
  const std::string token_secret = token.body["token"];
  const std::string token_id = token.body["id"];

  AgentFixture agent(c, "pc1");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device_id = agent.device_id();
  auto revoke = c.post("/api/v1/devices/" + device_id + "/revoke", {}, admin);
  REQUIRE(revoke.status == 200);

  auto events = audit_events(c);
  INFO(events.dump(2));

  auto login_failed = find_event(events, "auth.login.failed", "user:admin");
  REQUIRE(login_failed.is_object());
  CHECK(login_failed["outcome"] == "failure");
  CHECK(is_loopback_source(login_failed));

  auto login_ok = find_event(events, "auth.login.succeeded", "user:admin");
  REQUIRE(login_ok.is_object());
  CHECK(login_ok["actor"] == "admin");
  CHECK(login_ok["actor_kind"] == "user");
  CHECK(is_loopback_source(login_ok));

  auto created = find_event(events, "user.created", "user:tina");
  REQUIRE(created.is_object());
  CHECK(created["actor"] == "admin");
  CHECK(created["details"]["role"] == "technician");
  CHECK(is_loopback_source(created));

  // The admin account itself came from the CLI, which opens the database directly.
  auto cli_created = find_event(events, "user.created", "user:admin");
  REQUIRE(cli_created.is_object());
  CHECK(cli_created["actor"].get<std::string>().rfind("cli:", 0) == 0);
  CHECK(cli_created["actor_kind"] == "cli");
  CHECK(cli_created["source"] == "local");

  auto token_created = find_event(events, "api_token.created", "api_token:" + token_id);
  REQUIRE(token_created.is_object());
  CHECK(token_created["actor"] == "admin");
  CHECK(token_created["details"]["user"] == "tina");

  auto enrollment_token = find_event(events, "enrollment_token.created");
  REQUIRE(enrollment_token.is_object());
  const std::string enrollment_token_id =
      enrollment_token["target"].get<std::string>().substr(std::string("enrollment_token:").size());

  auto enrolled = find_event(events, "device.enrolled", "device:" + device_id);
  REQUIRE(enrolled.is_object());
  CHECK(enrolled["actor"] == device_id);
  CHECK(enrolled["actor_kind"] == "device");
  CHECK(enrolled["details"]["enrollment_token"] == enrollment_token_id);
  CHECK(enrolled["details"]["hostname"].is_string());
  CHECK(is_loopback_source(enrolled));

  auto revoked = find_event(events, "device.revoked", "device:" + device_id);
  REQUIRE(revoked.is_object());
  CHECK(revoked["actor"] == "admin");
  CHECK(is_loopback_source(revoked));

  // Secrets never reach the log: not the passwords, not the API token.
  const auto all = c.get("/api/v1/audit?limit=1000", admin).text;
  CHECK(all.find(kPassword) == std::string::npos);
  CHECK(all.find("not the one") == std::string::npos);
  CHECK(all.find(token_secret) == std::string::npos);

  // Seqs are newest first and the chain links each to the one before.
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    CHECK(events[i]["seq"].get<std::uint64_t>() == events[i + 1]["seq"].get<std::uint64_t>() + 1);
    CHECK(events[i]["prev_hash"] == events[i + 1]["hash"]);
  }

  // The revoked agent tries to connect: refused, and audited.
  agent.start();
  nlohmann::json refused;
  CHECK(eventually([&] {
    refused = find_event(audit_events(c, "?type=agent."), "agent.refused", "device:" + device_id);
    return refused.is_object();
  }));
  if (refused.is_object()) {
    CHECK(refused["outcome"] == "denied");
    CHECK_THAT(refused["details"]["reason"].get<std::string>(), Catch::Contains("revoked"));
  }
  agent.stop();
}

TEST_CASE("audit filters, paging and exports", "[integration]") {
  CollectorFixture c;
  const auto& admin = c.admin_token();
  for (int i = 0; i < 3; ++i) {
    REQUIRE(c.post("/api/v1/auth/login",
                   {{"name", "admin"}, {"password", "wrong " + std::to_string(i)}})
                .status == 401);
  }
  auto auth_only = audit_events(c, "?type=auth.");
  REQUIRE(auth_only.size() >= 4);
  for (const auto& e : auth_only) CHECK(e["type"].get<std::string>().rfind("auth.", 0) == 0);

  auto page = c.get("/api/v1/audit?limit=2", admin);
  REQUIRE(page.status == 200);
  REQUIRE(page.body["events"].size() == 2);
  const auto cursor = page.body["next_before"].get<std::uint64_t>();
  CHECK(cursor == page.body["events"][1]["seq"].get<std::uint64_t>());
  auto older = c.get("/api/v1/audit?limit=2&before=" + std::to_string(cursor), admin);
  REQUIRE(older.status == 200);
  CHECK(older.body["events"][0]["seq"].get<std::uint64_t>() == cursor - 1);

  auto by_target = audit_events(c, "?target=user:admin&type=user.created");
  REQUIRE(by_target.size() == 1);
  CHECK(audit_events(c, "?since=2200-01-01T00:00:00Z").empty());
  CHECK(audit_events(c, "?until=2000-01-01T00:00:00Z").empty());
  CHECK(c.get("/api/v1/audit?since=yesterday", admin).status == 400);
  CHECK(c.get("/api/v1/audit?type=a*", admin).status == 400);
  CHECK(c.get("/api/v1/audit?format=xml", admin).status == 400);

  auto ndjson = c.get("/api/v1/audit?format=ndjson&type=auth.login.failed", admin);
  REQUIRE(ndjson.status == 200);
  CHECK(ndjson.header("content-type") == "application/x-ndjson");
  std::istringstream lines(ndjson.text);
  int count = 0;
  for (std::string line; std::getline(lines, line);) {
    auto e = nlohmann::json::parse(line);
    CHECK(e["type"] == "auth.login.failed");
    ++count;
  }
  CHECK(count == 3);

  auto csv = c.get("/api/v1/audit?format=csv&type=auth.login.failed", admin);
  REQUIRE(csv.status == 200);
  CHECK(csv.header("content-type").rfind("text/csv", 0) == 0);
  CHECK(csv.text.rfind("seq,at,actor,actor_kind,source,type,target,outcome,details", 0) == 0);
  CHECK(std::count(csv.text.begin(), csv.text.end(), '\n') == 4);
}

TEST_CASE("only seniors and admins read the audit log", "[integration]") {
  CollectorFixture c;
  auto technician = c.login_as("terry", "technician");
  auto res = c.get("/api/v1/audit", technician);
  CHECK(res.status == 403);
  CHECK(res.body["error"]["code"] == "forbidden");
  CHECK(c.get("/api/v1/audit").status == 401);
  auto senior = c.login_as("sue", "senior");
  CHECK(c.get("/api/v1/audit", senior).status == 200);
}

TEST_CASE("audit verify: exit 0 on the live data dir, non-zero after tampering", "[integration]") {
  CollectorFixture c;
  const auto& admin = c.admin_token();
  REQUIRE(c.post("/api/v1/users", {{"name", "tina"}, {"role", "viewer"}, {"password", kPassword}},
                 admin)
              .status == 201);
  auto live = c.cli({"audit", "verify"});
  INFO(live.out << live.err);
  CHECK(live.exit_code == 0);
  CHECK_THAT(live.out, Catch::Contains("intact"));

  // A clean shutdown signs the head: every record is covered by a checkpoint.
  c.stop();
  auto stopped = c.cli({"audit", "verify"});
  CHECK(stopped.exit_code == 0);
  CHECK_THAT(stopped.out, !Catch::Contains("after the last checkpoint"));

  // Someone with write access to the file hides who created tina.
  raw_sql(c,
          "DROP TRIGGER audit_log_no_update; "
          "UPDATE audit_log SET actor = 'system' WHERE type = 'user.created' AND "
          "target = 'user:tina';");
  auto tampered = c.cli({"audit", "verify"});
  INFO(tampered.out << tampered.err);
  CHECK(tampered.exit_code != 0);
  CHECK_THAT(tampered.err, Catch::Contains("hash mismatch"));
  CHECK_THAT(tampered.err, Catch::Contains("seq "));
}

TEST_CASE("triagectl audit shows the log as a table and as JSON", "[integration][triagectl]") {
  CollectorFixture c;
  c.add_user("sue", "senior", kPassword);
  c.add_user("terry", "technician", kPassword);
  std::ofstream(c.root() / "ca.pem") << c.ca_pem();
  auto ctl = [&](const std::string& who, std::vector<std::string> args,
                 const std::string& stdin_text = "") {
    std::vector<std::string> argv = {binary("triagectl"), "--config-dir",
                                     (c.root() / ("ctl-" + who)).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, c.root(), stdin_text);
  };
  const std::string server = "https://127.0.0.1:" + std::to_string(c.port());
  for (const std::string who : {"sue", "terry"}) {
    auto login = ctl(who,
                     {"login", "--server", server, "--ca", (c.root() / "ca.pem").string(), "--name",
                      who, "--password-stdin"},
                     kPassword + "\n");
    REQUIRE(login.exit_code == 0);
  }

  auto table = ctl("sue", {"audit", "--type", "auth.login"});
  INFO(table.out << table.err);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("SEQ"));
  CHECK_THAT(table.out, Catch::Contains("auth.login.succeeded"));
  CHECK_THAT(table.out, Catch::Contains("user:sue"));
  CHECK_THAT(table.out, !Catch::Contains("user.created"));

  auto json = ctl("sue", {"--json", "audit", "--limit", "1"});
  REQUIRE(json.exit_code == 0);
  auto body = nlohmann::json::parse(json.out);
  CHECK(body["events"].size() == 1);
  CHECK(body["next_before"].is_number());

  auto denied = ctl("terry", {"audit"});
  CHECK(denied.exit_code != 0);
  CHECK_THAT(denied.err, Catch::Contains("senior"));
}

TEST_CASE("lockouts and throttled logins are audited", "[integration]") {
  CollectorFixture c("[auth]\nlockout_failures = 2\nlockout_seconds = 300\n");
  c.admin_token();
  c.add_user("sam", "viewer", kPassword);
  auto attempt = [&](const std::string& password) {
    return c.post("/api/v1/auth/login", {{"name", "sam"}, {"password", password}}).status;
  };
  CHECK(attempt("wrong password 1") == 401);
  CHECK(attempt("wrong password 2") == 429);
  CHECK(attempt(kPassword) == 429);  // locked: refused without a password check

  auto events = audit_events(c, "?target=user:sam&type=auth.");
  INFO(events.dump(2));
  auto lockout = find_event(events, "auth.lockout", "user:sam");
  REQUIRE(lockout.is_object());
  CHECK(lockout["outcome"] == "denied");
  CHECK(lockout["details"]["locked_seconds"].get<int>() > 0);
  auto throttled = find_event(events, "auth.login.throttled", "user:sam");
  REQUIRE(throttled.is_object());
  CHECK(throttled["details"]["reason"] == "user name locked");
  CHECK(find_event(events, "auth.login.failed", "user:sam").is_object());
  CHECK_FALSE(find_event(events, "auth.login.succeeded", "user:sam").is_object());
}
