// The administration commands of a site that stores in PostgreSQL: each opens the database the
// nodes serve (the file --config names, or the data directory's collector.toml as `node add`
// writes it), so what an admin does from the shell is what a serving node sees. A real
// PostgreSQL 15 (tests/support/postgres_server.hpp), a real node, a real agent. Label
// `postgres`.

#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <regex>

#include "collector/storage/postgres/pg_connection.hpp"
#include "shared/util/files.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/postgres_server.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string postgres_storage(const std::string& url) {
  return "[storage]\nbackend = \"postgres\"\nurl = \"" + url + "\"\n";
}

/// A node serving from a fresh PostgreSQL database; `site.toml`, a config naming that
/// database and nothing else, for --config; and `added`, a second node's data directory made
/// by `node add`, whose collector.toml is what every command there reads by default.
struct PgSite {
  std::string db = PostgresServer::shared().create_database();
  TempDir temp;
  CollectorFixture node{postgres_storage(db) + "[cluster]\nnode = \"a\"\n"};
  fs::path config = temp.path() / "site.toml";
  fs::path added = temp.path() / "node-b";

  PgSite() {
    std::ofstream(config) << postgres_storage(db);
    auto made = run({"node", "add", "--from", node.data_dir().string(), "--data", added.string(),
                     "--config", config.string(), "--name", "b"});
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    REQUIRE(fs::exists(added / "collector.toml"));
  }

  CommandResult run(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), binary("triage-collector"));
    return run_command(args, temp.path(), stdin_text);
  }
  /// A command on the serving node's data directory with `--config site.toml`.
  CommandResult with_config(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.end(), {"--data", node.data_dir().string(), "--config", config.string()});
    return run(args, stdin_text);
  }
  /// A command on the added node's data directory, without --config.
  CommandResult on_added(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.end(), {"--data", added.string()});
    return run(args, stdin_text);
  }

  /// `user add` from the shell, then a sign-in on the serving node; the session's token.
  std::string admin() {
    const std::string password = "correct horse battery admin";
    auto added_user = with_config(
        {"user", "add", "--name", "admin", "--role", "admin", "--password-stdin"}, password);
    INFO(added_user.err);
    REQUIRE(added_user.exit_code == 0);
    auto res = node.post("/api/v1/auth/login", {{"name", "admin"}, {"password", password}});
    INFO(res.text);
    REQUIRE(res.status == 200);
    return res.body["token"];
  }

  std::int64_t audit_rows() {
    auto conn = triage::postgres::Connection::connect(db);
    REQUIRE(conn);
    auto rows = (*conn)->query("SELECT count(*) FROM audit_log");
    REQUIRE(rows);
    return rows->int64(0, 0);
  }
};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

TEST_CASE(
    "a PostgreSQL site: an enrollment token from the shell enrolls on the node, and a device "
    "revoked from the shell is refused by the serving node",
    "[integration][pg]") {
  PgSite site;
  const auto admin = site.admin();
  auto token = site.on_added({"token", "create", "--uses", "1"});
  INFO(token.err);
  REQUIRE(token.exit_code == 0);

  const auto state = site.temp.path() / "agent-state";
  auto enrolled = run_command(
      {binary("triage-agent"), "enroll", "--server", site.node.wss_url(), "--token",
       trimmed(token.out), "--ca-sha256", site.node.ca_sha256(), "--state", state.string()},
      site.temp.path());
  INFO(enrolled.out << enrolled.err);
  REQUIRE(enrolled.exit_code == 0);
  const auto device = nlohmann::json::parse(triage::read_file(state / "enrollment.json").value())
                          .value("device_id", "");
  const auto agent_config = site.temp.path() / "agent.toml";
  std::ofstream(agent_config) << "[probes]\nenabled = false\n";
  const std::vector<std::string> run_agent = {
      binary("triage-agent"), "run", "--state", state.string(), "--config", agent_config.string()};
  auto agent = std::make_unique<ChildProcess>(run_agent, site.temp.path(), "agent");
  REQUIRE(eventually([&] { return device_online(site.node, device); }, 30s));

  auto revoked = site.on_added({"device", "revoke", device});
  INFO(revoked.err);
  REQUIRE(revoked.exit_code == 0);
  CHECK(site.node.get("/api/v1/devices/" + device, admin).body["revoked"] == true);
  // Refused from its next connection on.
  agent->stop();
  agent = std::make_unique<ChildProcess>(run_agent, site.temp.path(), "agent-again");
  CHECK(eventually(
      [&] {
        return site.node.process().stderr_text().find("refused: device " + device +
                                                      " was revoked") != std::string::npos;
      },
      30s));
  CHECK(eventually([&] { return agent->stderr_text().find("was revoked") != std::string::npos; }));
  CHECK_FALSE(device_online(site.node, device));
}

TEST_CASE(
    "a PostgreSQL site: a user added from the shell signs in on the node, and API tokens "
    "created, listed and revoked from the shell are the node's",
    "[integration][pg]") {
  PgSite site;
  site.admin();

  REQUIRE(site.on_added({"user", "add", "--service", "--name", "rt", "--role", "technician"})
              .exit_code == 0);
  auto created = site.on_added({"api-token", "create", "--user", "rt", "--name", "rt-connector"});
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  const auto bearer = trimmed(created.out);
  CHECK(site.node.get("/api/v1/devices", bearer).status == 200);

  std::smatch m;
  static const std::regex kId("API token ([^ ]+) for rt");
  REQUIRE(std::regex_search(created.err, m, kId));
  const std::string id = m[1];
  auto listed = site.with_config({"api-token", "list"});
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains(id) && Catch::Contains("rt-connector"));

  REQUIRE(site.with_config({"api-token", "revoke", "--id", id}).exit_code == 0);
  CHECK(site.node.get("/api/v1/devices", bearer).status == 401);
}

TEST_CASE("a PostgreSQL site: audit verify checks the chain the nodes and the shell write",
          "[integration][pg]") {
  PgSite site;
  // Written by the node: a failed sign-in.
  CHECK(site.node.post("/api/v1/auth/login", {{"name", "nobody"}, {"password", "wrong"}}).status ==
        401);
  REQUIRE(site.audit_rows() >= 1);
  // Written from the shell, on the added node's directory.
  REQUIRE(site.on_added({"token", "create"}).exit_code == 0);

  const auto rows = site.audit_rows();
  REQUIRE(rows >= 2);
  const std::string intact = "audit log intact: " + std::to_string(rows) + " records";
  auto by_default = site.on_added({"audit", "verify"});
  INFO(by_default.out << by_default.err);
  CHECK(by_default.exit_code == 0);
  CHECK_THAT(by_default.out, Catch::Contains(intact));
  auto with_config = site.with_config({"audit", "verify"});
  INFO(with_config.out << with_config.err);
  CHECK(with_config.exit_code == 0);
  CHECK_THAT(with_config.out, Catch::Contains(intact));
}

TEST_CASE(
    "a data directory whose configuration names an unreachable PostgreSQL: every command "
    "refuses, naming the host and the file but not the password",
    "[integration][pg]") {
  TempDir temp;
  const auto data = temp.path() / "collector";
  REQUIRE(run_command({binary("triage-collector"), "init", "--data", data.string()}, temp.path())
              .exit_code == 0);
  const auto port = std::to_string(free_loopback_port());
  std::ofstream(data / "collector.toml")
      << postgres_storage("postgres://triage:not-this-password@127.0.0.1:" + port + "/triage");

  const std::vector<std::vector<std::string>> commands = {
      {"token", "create"},
      {"user", "add", "--name", "alice", "--role", "admin"},
      {"device", "revoke", "some-device"},
      {"api-token", "list"},
      {"api-token", "revoke", "--id", "some-token"},
      {"audit", "verify"},
  };
  for (auto args : commands) {
    args.insert(args.begin(), binary("triage-collector"));
    args.insert(args.end(), {"--data", data.string()});
    auto r = run_command(args, temp.path());
    INFO(args[1] << " " << args[2] << ": " << r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("host 127.0.0.1 port " + port) &&
                          Catch::Contains("cannot be reached") &&
                          Catch::Contains((data / "collector.toml").string()));
    CHECK_THAT(r.err, !Catch::Contains("not-this-password"));
    CHECK(r.out.empty());
  }
  // serve reads the same file, and refuses in the same words.
  auto serve = run_command(
      {binary("triage-collector"), "serve", "--data", data.string(), "--listen", "127.0.0.1:0"},
      temp.path());
  INFO(serve.err);
  CHECK(serve.exit_code == 1);
  CHECK_THAT(serve.err, Catch::Contains("host 127.0.0.1 port " + port) &&
                            Catch::Contains("cannot be reached") &&
                            Catch::Contains((data / "collector.toml").string()));
  CHECK_THAT(serve.err, !Catch::Contains("not-this-password"));
}

TEST_CASE(
    "node add: the new node's configuration names it, and a configuration naming another node "
    "is refused",
    "[integration][pg]") {
  PgSite site;
  // site.toml has no [cluster]: the copy gains one naming the new node.
  const auto added = triage::read_file(site.added / "collector.toml").value();
  CHECK(std::regex_search(added, std::regex(R"(\[cluster\]\nnode = "b"\n)")));
  CHECK(added.find(postgres_storage(site.db)) == 0);

  auto add = [&](const std::string& config_text, const std::string& name) {
    const auto config = site.temp.path() / ("cluster-" + name + ".toml");
    std::ofstream(config) << config_text;
    return site.run({"node", "add", "--from", site.node.data_dir().string(), "--data",
                     (site.temp.path() / ("node-" + name)).string(), "--config", config.string(),
                     "--name", name});
  };
  // A [cluster] table of its own keeps its keys and gets the node's name under its header.
  auto with_table = add(postgres_storage(site.db) + "[cluster] # shared\nlease_ms = 20000\n", "c");
  INFO(with_table.err);
  REQUIRE(with_table.exit_code == 0);
  const auto c = triage::read_file(site.temp.path() / "node-c" / "collector.toml").value();
  CHECK(c.find("[cluster] # shared\nnode = \"c\"\nlease_ms = 20000\n") != std::string::npos);

  // Node a's own configuration copied for node d would make two nodes one.
  auto other = add(postgres_storage(site.db) + "[cluster]\nnode = \"a\"\n", "d");
  CHECK(other.exit_code == 1);
  CHECK(other.err.find("names node `a`") != std::string::npos);
  CHECK_FALSE(fs::exists(site.temp.path() / "node-d"));
  // A file already naming the new node is taken as it is.
  auto own = add(postgres_storage(site.db) + "[cluster]\nnode = \"e\"\n", "e");
  INFO(own.err);
  CHECK(own.exit_code == 0);
}
