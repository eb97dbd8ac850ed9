// Diagnostic probes end to end: a real collector and a real agent over mTLS, probing servers
// the test starts on 127.0.0.1 (HTTPS with an expired certificate from a test CA, HTTP with a
// redirect). The request is checked on the collector and again on the agent; the agent's
// local policy switches one probe off; results are stored, on the ticket and in the agent's
// own history; triagectl prints a TLS chain with its expiry.

#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/collector_fixture.hpp"
#include "tests/support/probe_test_server.hpp"

using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<AgentFixture> probing_agent(CollectorFixture& c) {
  auto agent = std::make_unique<AgentFixture>(c, "probed");
  REQUIRE(agent->enroll().exit_code == 0);
  const auto config = c.root() / "agent-probes.toml";
  std::ofstream(config) << "[probes]\nenabled = false\n"
                        << "[probe_policy]\ndisabled = [\"disk_usage\"]\nper_minute = 60\n";
  agent->start({"--config", config.string()});
  const auto device = agent->device_id();
  REQUIRE(eventually([&] { return device_online(c, device); }, 30s));
  return agent;
}

nlohmann::json wait_answered(CollectorFixture& c, const std::string& id, const std::string& token) {
  nlohmann::json run;
  const bool done = eventually(
      [&] {
        run = c.get("/api/v1/probes/" + id, token).body;
        return run.value("state", "sent") != "sent";
      },
      30s);
  INFO(run.dump(2));
  REQUIRE(done);
  return run;
}

std::string error_code(const ApiResponse& r) {
  if (r.body.is_discarded() || !r.body.contains("error")) return "(no JSON error)";
  return r.body["error"]["code"].get<std::string>();
}

}  // namespace

TEST_CASE("probes end to end: reach with TLS, http_get, hostile parameters, local policy",
          "[integration][probes]") {
  CollectorFixture c;
  c.start();
  const auto tech = c.login_as("tina", "technician");
  const auto viewer = c.login_as("vic", "viewer");
  auto agent = probing_agent(c);
  const auto device = agent->device_id();
  auto ticket = c.post("/api/v1/tickets", {{"title", "mail fails"}, {"device_id", device}}, tech);
  REQUIRE(ticket.status == 201);
  const auto ticket_id = ticket.body["id"].get<std::int64_t>();
  const auto pki = make_probe_test_pki();
  ProbeTestServer expired(ProbeTestServer::Mode::kHttps, pki.expired_chain_pem,
                          pki.expired_key_pem);
  ProbeTestServer web(ProbeTestServer::Mode::kHttp);
  const auto probes_path = "/api/v1/devices/" + device + "/probes";

  SECTION("reach with TLS shows the expired chain; the run is stored and on the ticket") {
    auto r = c.post(probes_path,
                    {{"probe", "reach"},
                     {"params", {{"host", "127.0.0.1"}, {"port", expired.port()}, {"tls", true}}},
                     {"ticket_id", ticket_id}},
                    tech);
    INFO(r.text);
    REQUIRE(r.status == 201);
    CHECK(r.header("location") == "/api/v1/probes/" + r.body["id"].get<std::string>());
    auto run = wait_answered(c, r.body["id"], tech);
    CHECK(run["state"] == "completed");
    CHECK(run["requested_by"] == "tina");
    const auto& reach = run["result"]["reach"];
    CHECK(reach["connected"] == true);
    CHECK(reach["address"] == "127.0.0.1");
    CHECK(reach["tls"]["verified"] == false);
    REQUIRE(reach["tls"]["chain"].size() >= 1);
    CHECK(reach["tls"]["chain"][0]["expired"] == true);
    CHECK(expired.connections() >= 1);
    auto t = c.get("/api/v1/tickets/" + std::to_string(ticket_id), tech);
    bool noted = false;
    for (const auto& e : t.body["timeline"]) {
      if (e["kind"] == "probe_run" && e["data"]["probe_run_id"] == run["id"]) noted = true;
    }
    CHECK(noted);
    // The device's recent runs, as a viewer reads them on the device page.
    auto recent = c.get(probes_path + "?limit=5", viewer);
    INFO(recent.text);
    REQUIRE(recent.status == 200);
    REQUIRE(recent.body["items"].size() == 1);
    CHECK(recent.body["items"][0]["id"] == run["id"]);
    CHECK(recent.body["items"][0]["result"]["reach"]["connected"] == true);
    CHECK(c.get(probes_path + "?limit=0", viewer).status == 400);
    CHECK(c.get("/api/v1/devices/no-such-device/probes", viewer).status == 404);
  }

  SECTION("http_get follows the redirect") {
    auto r = c.post(
        probes_path,
        {{"probe", "http_get"},
         {"params", {{"url", "http://127.0.0.1:" + std::to_string(web.port()) + "/redirect"}}}},
        tech);
    REQUIRE(r.status == 201);
    auto run = wait_answered(c, r.body["id"], tech);
    CHECK(run["state"] == "completed");
    CHECK(run["result"]["http_get"]["hops"].size() == 2);
    CHECK(run["result"]["http_get"]["status"] == 200);
    CHECK(run["result"]["http_get"]["body_prefix"] == kFinalBody);
  }

  SECTION("path and connections: the route to 127.0.0.1, the agent's own collector connection") {
    auto r =
        c.post(probes_path,
               {{"probe", "path"}, {"params", {{"host", "127.0.0.1"}, {"max_hops", 3}}}}, tech);
    INFO(r.text);
    REQUIRE(r.status == 201);
    CHECK(r.body["target"] == "127.0.0.1");
    auto run = wait_answered(c, r.body["id"], tech);
    CHECK(run["state"] == "completed");
    CHECK(run["result"]["path"]["reached"] == true);
    CHECK(run["result"]["path"]["hops"][0]["address"] == "127.0.0.1");

    const auto pid = static_cast<std::int64_t>(agent->process()->pid());
    r = c.post(probes_path, {{"probe", "connections"}, {"params", {{"pid", pid}}}}, tech);
    REQUIRE(r.status == 201);
    run = wait_answered(c, r.body["id"], tech);
    INFO(run.dump(2));
    CHECK(run["state"] == "completed");
    bool to_collector = false;
    for (const auto& conn : run["result"]["connections"]["connections"]) {
      if (conn["remote_port"] == c.port() && conn["state"] == "ESTABLISHED") {
        to_collector = true;
        CHECK(conn["pid"] == pid);
      }
    }
    CHECK(to_collector);
  }

  SECTION("hostile parameters are refused by the collector; nothing reaches the agent") {
    for (const auto& [probe, params] : std::vector<std::pair<std::string, nlohmann::json>>{
             {"connections", {{"pid", 1}, {"process", "sshd"}}},
             {"connections", {{"process", "ch*"}}},
             {"log_lines", {{"source", "cups*"}}},
             {"log_lines", {{"source", "cups.service"}, {"min_level", "verbose"}}},
             {"log_lines", {{"source", "cups.service"}, {"max_lines", 100000}}},
             {"path", {{"host", "10.0.0.0/8"}}},
             {"path", {{"host", "127.0.0.1"}, {"max_hops", 64}}}}) {
      auto r = c.post(probes_path, {{"probe", probe}, {"params", params}}, tech);
      INFO(probe << " " << params.dump() << " " << r.text);
      CHECK(r.status == 400);
      CHECK(error_code(r) == "invalid_request");
    }
    for (const auto& params : {nlohmann::json{{"host", "10.0.0.0/24"}, {"port", 22}},
                               nlohmann::json{{"host", "127.0.0.1"}, {"port", "1-1024"}},
                               nlohmann::json{{"host", "224.0.0.1"}, {"port", 80}}}) {
      auto r = c.post(probes_path, {{"probe", "reach"}, {"params", params}}, tech);
      INFO(params.dump() << " " << r.text);
      CHECK(r.status == 400);
      CHECK(error_code(r) == "invalid_request");
    }
    auto r =
        c.post(probes_path, {{"probe", "portscan"}, {"params", nlohmann::json::object()}}, tech);
    CHECK(r.status == 400);
  }

  SECTION("a viewer may not run probes unless the configuration says so") {
    auto r =
        c.post(probes_path, {{"probe", "resolve"}, {"params", {{"name", "localhost"}}}}, viewer);
    CHECK(r.status == 403);
  }

  SECTION("a probe the endpoint's policy switched off is refused by the agent") {
    auto r = c.post(probes_path, {{"probe", "disk_usage"}, {"params", {{"path", "/tmp"}}}}, tech);
    REQUIRE(r.status == 201);
    auto run = wait_answered(c, r.body["id"], tech);
    CHECK(run["state"] == "refused");
    CHECK_THAT(run["result"]["reason"].get<std::string>(), Catch::Contains("local policy"));
    agent->stop();
    auto history = run_command(
        {binary("triage-agent"), "history", "--state", agent->state_dir().string()}, c.root());
    INFO(history.out << history.err);
    CHECK(history.exit_code == 0);
    CHECK_THAT(history.out, Catch::Contains("probe:disk_usage"));
    CHECK_THAT(history.out, Catch::Contains("refused"));
  }
}

TEST_CASE("triagectl probe DEVICE reach host:port --tls prints the chain with its expiry",
          "[integration][probes][triagectl]") {
  CollectorFixture c;
  c.start();
  const std::string password = "correct horse battery tina";
  c.add_user("tina", "technician", password);
  auto agent = probing_agent(c);
  const auto pki = make_probe_test_pki();
  ProbeTestServer expired(ProbeTestServer::Mode::kHttps, pki.expired_chain_pem,
                          pki.expired_key_pem);
  const auto config_dir = c.root() / "cfg-tina";
  const auto ca_file = c.root() / "ca.pem";
  std::ofstream(ca_file) << c.ca_pem();
  auto login = run_command({binary("triagectl"), "--config-dir", config_dir.string(), "login",
                            "--server", "https://127.0.0.1:" + std::to_string(c.port()), "--ca",
                            ca_file.string(), "--name", "tina", "--password-stdin"},
                           c.root(), password + "\n");
  REQUIRE(login.exit_code == 0);
  auto ctl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {binary("triagectl"), "--config-dir", config_dir.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, c.root());
  };
  auto probe = ctl({"probe", agent->device_id(), "reach",
                    "127.0.0.1:" + std::to_string(expired.port()), "--tls"});
  INFO(probe.out << probe.err);
  CHECK(probe.exit_code == 0);
  CHECK_THAT(probe.out, Catch::Contains("reached 127.0.0.1"));
  CHECK_THAT(probe.out, Catch::Contains("EXPIRED"));
  CHECK_THAT(probe.out, Catch::Contains("verified against this PC's trust store: NO"));
  auto range = ctl({"probe", agent->device_id(), "reach", "127.0.0.1:1-1024"});
  CHECK(range.exit_code != 0);
  CHECK_THAT(range.err, Catch::Contains("no port ranges"));
}
