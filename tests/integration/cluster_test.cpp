// Two real `triage-collector serve` nodes sharing one real PostgreSQL and one set of keys, and
// a real agent connected to node B (directly, or through a real HAProxy in TCP mode): what
// staff do on node A reaches it, and node A sees B die. Label `postgres`.

#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <regex>

#include "collector/auth/accounts.hpp"
#include "collector/storage/postgres/postgres_store.hpp"
#include "shared/util/files.hpp"
#include "tests/support/action_pins.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/support/haproxy_server.hpp"
#include "tests/support/postgres_server.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const char* kEchoHigh = R"toml(
id = "echo-high"
version = 1
title = "Echo, high risk (test)"
argv = ["/bin/echo", "approved and ran"]
risk = "high"
)toml";

/// The config of node `name`: the shared database and the test action.
std::string node_config(const fs::path& actions_dir, const std::string& db,
                        const std::string& name) {
  return "[actions]\ndir = \"" + actions_dir.string() + "\"\n[storage]\nbackend = \"postgres\"\n" +
         "url = \"" + db + "\"\n[cluster]\nnode = \"" + name + "\"\n";
}

/// Node B: a copy of node A's data dir (CA, server certificate, order-signing key,
/// integrations.key) serving the same database under its own name.
class SecondNode {
 public:
  SecondNode(CollectorFixture& first, const std::string& config) {
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
    port_ = std::stoi(m[1]);
  }
  int port() const { return port_; }
  ChildProcess& process() { return *process_; }

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

/// A user created straight in the shared database (the CLI writes the SQLite file), logged in
/// through `node`'s API.
std::string login_as(CollectorFixture& node, const std::string& db, const std::string& name,
                     const std::string& role) {
  auto store = triage::collector::PostgresStore::open(db);
  REQUIRE(store);
  const std::string password = "correct horse battery " + name;
  REQUIRE(triage::collector::create_user(**store, name, *triage::collector::parse_role(role),
                                         password, std::chrono::system_clock::now()));
  auto res = node.post("/api/v1/auth/login", {{"name", name}, {"password", password}});
  INFO(res.text);
  REQUIRE(res.status == 200);
  return res.body["token"];
}

/// PostgreSQL, nodes A and B on it, the staff who order (alice) and approve (bob), and an
/// agent enrolled through A (not running yet).
struct Cluster {
  std::string db = PostgresServer::shared().create_database();
  TempDir actions;
  std::unique_ptr<CollectorFixture> a;
  std::unique_ptr<SecondNode> b;
  std::string admin, alice, bob;
  fs::path agent_state;
  std::string device;

  Cluster() {
    std::ofstream(actions.path() / "echo-high.toml") << kEchoHigh;
    a = std::make_unique<CollectorFixture>(node_config(actions.path(), db, "a"));
    b = std::make_unique<SecondNode>(*a, node_config(actions.path(), db, "b"));
    admin = login_as(*a, db, "admin", "admin");
    alice = login_as(*a, db, "alice", "senior");
    bob = login_as(*a, db, "bob", "senior");
    auto token = a->post("/api/v1/enrollment-tokens", {{"uses", 1}}, admin);
    REQUIRE(token.status == 201);
    agent_state = a->root() / "agent-state";
    auto enrolled = run_command({binary("triage-agent"), "enroll", "--server", a->wss_url(),
                                 "--token", token.body["token"].get<std::string>(), "--ca-sha256",
                                 a->ca_sha256(), "--state", agent_state.string()},
                                a->root());
    INFO(enrolled.out << enrolled.err);
    REQUIRE(enrolled.exit_code == 0);
    device = nlohmann::json::parse(triage::read_file(agent_state / "enrollment.json").value())
                 .value("device_id", "");
  }

  /// Runs the agent against `port` (a node, or the balancer), allowed to run the test action.
  std::unique_ptr<ChildProcess> run_agent(int port) {
    const auto config = a->root() / "agent.toml";
    std::ofstream(config) << "[probes]\nenabled = false\n[collector]\nurl = \"wss://127.0.0.1:"
                          << port << "\"\n[policy]\nmax_risk = \"high\"\n"
                          << allow_custom_line({kEchoHigh});
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{binary("triage-agent"), "--log-level", "debug", "run", "--state",
                                 agent_state.string(), "--config", config.string()},
        a->root(), "agent");
  }

  /// The device as node A's API shows it.
  nlohmann::json device_on_a() { return a->get("/api/v1/devices/" + device, admin).body; }

  /// Waits until node A shows the device online on `node`.
  bool online_on(const std::string& node) {
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

  /// Alice orders the test action on node A and Bob approves it there; the order's id.
  std::string order_approved_on_a() {
    auto ticket = a->post("/api/v1/tickets", {{"title", "slow"}, {"device_id", device}}, alice);
    REQUIRE(ticket.status == 201);
    auto created = a->post(
        "/api/v1/tickets/" + std::to_string(ticket.body["id"].get<std::int64_t>()) + "/actions",
        {{"action", "echo-high"}}, alice);
    INFO(created.text);
    REQUIRE(created.status == 201);
    CHECK(created.body["state"] == "awaiting_approval");
    const auto id = created.body["id"].get<std::string>();
    REQUIRE(a->post("/api/v1/orders/" + id + "/approve", nlohmann::json::object(), bob).status ==
            200);
    return id;
  }

  /// The order as node A reads it once it has ended (or after 60 s).
  nlohmann::json final_order_on_a(const std::string& id) {
    nlohmann::json order;
    eventually(
        [&] {
          order = a->get("/api/v1/orders/" + id, alice).body;
          const auto state = order.value("state", "");
          return state != "queued" && state != "sent" && state != "running";
        },
        60s);
    return order;
  }
};

}  // namespace

TEST_CASE(
    "two collector nodes on PostgreSQL: an order approved on node A reaches the agent "
    "on node B and its output is read on A, and B killed with -9 shows offline on A in 30 s",
    "[integration][pg]") {
  Cluster cluster;
  auto agent = cluster.run_agent(cluster.b->port());
  INFO("B: " << cluster.b->process().stderr_text());
  REQUIRE(cluster.online_on("b"));

  const auto id = cluster.order_approved_on_a();
  const auto order = cluster.final_order_on_a(id);
  INFO(order.dump(2) << "\nagent: " << agent->stderr_text());
  CHECK(order["state"] == "succeeded");
  CHECK(order["output"]["stdout"] == "approved and ran\n");

  // Node B dies without a word: node A shows the device offline once B's lease runs out.
  cluster.b->process().kill_hard();
  const auto killed = std::chrono::steady_clock::now();
  CHECK(eventually([&] { return !cluster.device_on_a().value("online", true); }, 30s));
  CHECK(std::chrono::steady_clock::now() - killed <= 30s);
  CHECK(cluster.device_on_a()["node"].is_null());
}

TEST_CASE(
    "behind HAProxy, an agent whose node is killed with -9 comes back on the other node, "
    "and an order queued meanwhile runs exactly once",
    "[integration][pg][haproxy]") {
  Cluster cluster;
  // B first: the balancer sends every agent to B while it is up.
  HaproxyServer balancer({{"b", cluster.b->port()}, {"a", cluster.a->port()}});
  auto agent = cluster.run_agent(balancer.port());
  REQUIRE(cluster.online_on("b"));

  cluster.b->process().kill_hard();
  // Ordered while the device still shows on B (B's lease runs on): relayed to B, which is
  // gone, and delivered by A once the agent is back there.
  const auto id = cluster.order_approved_on_a();
  REQUIRE(cluster.online_on("a"));
  const auto order = cluster.final_order_on_a(id);
  INFO(order.dump(2) << "\nagent: " << agent->stderr_text());
  CHECK(order["state"] == "succeeded");
  CHECK(order["output"]["stdout"] == "approved and ran\n");

  // The endpoint ran it once: one entry in its own history.
  auto history =
      run_command({binary("triage-agent"), "history", "--state", cluster.agent_state.string()},
                  cluster.a->root());
  INFO(history.out << history.err);
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.out, Catch::Contains("intact (1 entries)"));
}
