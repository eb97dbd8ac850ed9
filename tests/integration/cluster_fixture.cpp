#include "tests/integration/cluster_fixture.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <stdexcept>

#include "collector/auth/accounts.hpp"
#include "collector/storage/postgres/postgres_store.hpp"
#include "shared/util/files.hpp"
#include "tests/support/action_pins.hpp"
#include "tests/support/postgres_server.hpp"

namespace triage::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* const kEchoHigh = R"toml(
id = "echo-high"
version = 1
title = "Echo, high risk (test)"
argv = ["/bin/echo", "approved and ran"]
risk = "high"
)toml";

namespace {

/// The config of node `name`: the shared database, the test action and the options.
std::string node_config(const fs::path& actions_dir, const std::string& db, const std::string& name,
                        const ClusterOptions& options) {
  return "[actions]\ndir = \"" + actions_dir.string() + "\"\n" + options.actions +
         "[storage]\nbackend = \"postgres\"\nurl = \"" + db + "\"\n[cluster]\nnode = \"" + name +
         "\"\n" + options.extra;
}

/// A user created straight in the shared database (the CLI writes the SQLite file), logged in
/// through `node`'s API.
std::string login_as(CollectorFixture& node, const std::string& db, const std::string& name,
                     const std::string& role) {
  auto store = collector::PostgresStore::open(db);
  REQUIRE(store);
  const std::string password = "correct horse battery " + name;
  REQUIRE(collector::create_user(**store, name, *collector::parse_role(role), password,
                                 std::chrono::system_clock::now()));
  auto res = node.post("/api/v1/auth/login", {{"name", name}, {"password", password}});
  INFO(res.text);
  REQUIRE(res.status == 200);
  return res.body["token"];
}

}  // namespace

ApiResponse NodeApi::get(const std::string& target, const std::string& bearer) const {
  return api_request(ca_pem, port, transport::http::verb::get, target, "",
                     {{"Authorization", "Bearer " + bearer}});
}

ApiResponse NodeApi::post(const std::string& target, const nlohmann::json& body,
                          const std::string& bearer) const {
  return api_request(ca_pem, port, transport::http::verb::post, target, body.dump(),
                     {{"Authorization", "Bearer " + bearer}});
}

PeerNode::PeerNode(CollectorFixture& first, const std::string& config) {
  fs::copy(first.data_dir(), dir_.path() / "data", fs::copy_options::recursive);
  const auto config_path = dir_.path() / "collector.toml";
  std::ofstream(config_path) << config << "[log]\nlevel = \"debug\"\n";
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{binary("triage-collector"), "serve", "--data",
                               (dir_.path() / "data").string(), "--listen", "127.0.0.1:0",
                               "--config", config_path.string()},
      dir_.path(), "collector-b");
  static const std::regex kListening("listening on https://127\\.0\\.0\\.1:([0-9]+)");
  std::smatch m;
  std::string out;
  const bool up = eventually([&] {
    out = process_->stdout_text();
    return std::regex_search(out, m, kListening) || !process_->running();
  });
  if (!up || !std::regex_search(out, m, kListening)) {
    throw std::runtime_error("node B did not start: " + process_->stderr_text());
  }
  port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
}

Cluster::Cluster(const ClusterOptions& options) : db(PostgresServer::shared().create_database()) {
  std::ofstream(actions.path() / "echo-high.toml") << kEchoHigh;
  a = std::make_unique<CollectorFixture>(node_config(actions.path(), db, "a", options));
  b = std::make_unique<PeerNode>(*a, node_config(actions.path(), db, "b", options));
  admin = login_as(*a, db, "admin", "admin");
  alice = login_as(*a, db, "alice", "senior");
  bob = login_as(*a, db, "bob", "senior");
  carol = login_as(*a, db, "carol", "senior");
  auto token = a->post("/api/v1/enrollment-tokens", {{"uses", 1}}, admin);
  REQUIRE(token.status == 201);
  agent_state = a->root() / "agent-state";
  auto enrolled = run_command({binary("triage-agent"), "enroll", "--server", a->wss_url(),
                               "--token", token.body["token"].get<std::string>(), "--ca-sha256",
                               a->ca_sha256(), "--state", agent_state.string()},
                              a->root());
  INFO(enrolled.out << enrolled.err);
  REQUIRE(enrolled.exit_code == 0);
  device = nlohmann::json::parse(read_file(agent_state / "enrollment.json").value())
               .value("device_id", "");
}

NodeApi Cluster::api(const std::string& node) const {
  return NodeApi{a->ca_pem(), node == "a" ? a->port() : b->port()};
}

ChildProcess& Cluster::process(const std::string& node) {
  return node == "a" ? a->process() : b->process();
}

std::unique_ptr<ChildProcess> Cluster::run_agent(int port,
                                                 const std::vector<std::string>& run_args) {
  const auto config = a->root() / "agent.toml";
  std::ofstream(config) << "[probes]\nenabled = false\n[collector]\nurl = \"wss://127.0.0.1:"
                        << port << "\"\n[policy]\nmax_risk = \"high\"\n"
                        << allow_custom_line({kEchoHigh});
  std::vector<std::string> argv{binary("triage-agent"), "--log-level", "debug", "run", "--state",
                                agent_state.string()};
  argv.insert(argv.end(), run_args.begin(), run_args.end());
  argv.insert(argv.end(), {"--config", config.string()});
  return std::make_unique<ChildProcess>(std::move(argv), a->root(), "agent");
}

nlohmann::json Cluster::device_on_a() { return a->get("/api/v1/devices/" + device, admin).body; }

bool Cluster::online_on(const std::string& node) {
  nlohmann::json seen;
  const bool ok = eventually(
      [&] {
        seen = device_on_a();
        return seen.value("online", false) && seen.value("node", nlohmann::json()) == node;
      },
      30s);
  UNSCOPED_INFO("device on A: " << seen.dump());
  return ok;
}

std::int64_t Cluster::ticket_on(const NodeApi& on, const std::string& title) {
  auto ticket = on.post("/api/v1/tickets", {{"title", title}, {"device_id", device}}, alice);
  INFO(ticket.text);
  REQUIRE(ticket.status == 201);
  return ticket.body["id"].get<std::int64_t>();
}

std::string Cluster::order_on(const NodeApi& on) {
  const auto ticket = ticket_on(on, "slow");
  auto created = on.post("/api/v1/tickets/" + std::to_string(ticket) + "/actions",
                         {{"action", "echo-high"}}, alice);
  INFO(created.text);
  REQUIRE(created.status == 201);
  CHECK(created.body["state"] == "awaiting_approval");
  return created.body["id"].get<std::string>();
}

std::string Cluster::order_approved_on_a() {
  const auto id = order_on(api("a"));
  REQUIRE(a->post("/api/v1/orders/" + id + "/approve", nlohmann::json::object(), bob).status ==
          200);
  return id;
}

nlohmann::json Cluster::final_order(const NodeApi& on, const std::string& id) {
  nlohmann::json order;
  eventually(
      [&] {
        order = on.get("/api/v1/orders/" + id, alice).body;
        const auto state = order.value("state", "");
        return state != "queued" && state != "sent" && state != "running";
      },
      60s);
  return order;
}

int Cluster::history_entries() {
  auto history =
      run_command({binary("triage-agent"), "history", "--state", agent_state.string()}, a->root());
  UNSCOPED_INFO(history.out << history.err);
  static const std::regex kIntact("intact \\(([0-9]+) entries\\)");
  std::smatch m;
  if (history.exit_code != 0 || !std::regex_search(history.out, m, kIntact)) return -1;
  return std::stoi(m[1]);
}

std::map<std::uint64_t, int> Cluster::stored_seqs() { return stored_report_seqs(db, device); }

}  // namespace triage::testing
