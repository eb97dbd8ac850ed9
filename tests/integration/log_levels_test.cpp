// Log levels per subsystem while the collector runs: an admin raises one subsystem to debug over
// the API and its next debug line is in the log; SIGHUP applies `[log.levels]` from the
// configuration file again.

#include <signal.h>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "shared/util/files.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage;
using namespace triage::testing;
namespace http = transport::http;

namespace {

constexpr const char* kInfoConfig = "[log]\nlevel = \"info\"\n";

/// Bytes that are no TLS handshake on the agent port: the transport logs the failure at debug.
void send_garbage(std::uint16_t port) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(std::string("not tls at all\r\n\r\n")));
}

bool handshake_failures_counted(CollectorFixture& c, int n) {
  auto metrics = c.get("/metrics", c.metrics_token());
  return metrics.text.find("triage_refusals_total{reason=\"tls_handshake_failed\"} " +
                           std::to_string(n)) != std::string::npos;
}

ApiResponse put_levels(CollectorFixture& c, const nlohmann::json& body, const std::string& token) {
  return c.send(http::verb::put, "/api/v1/admin/log-levels", body.dump(),
                {{"Authorization", "Bearer " + token}});
}

}  // namespace

TEST_CASE(
    "Log levels: an admin's PUT makes a subsystem's next debug line appear, a viewer is "
    "refused",
    "[integration][log-levels]") {
  CollectorFixture c(kInfoConfig);
  const std::string debug_line = "transport: TLS handshake from 127.0.0.1";
  send_garbage(c.port());
  REQUIRE(eventually([&] { return handshake_failures_counted(c, 1); }));
  CHECK(c.process().stderr_text().find(debug_line) == std::string::npos);

  const auto viewer = c.login_as("l1", "viewer");
  CHECK(c.get("/api/v1/admin/log-levels", viewer).status == 403);
  CHECK(put_levels(c, {{"levels", {{"transport", "debug"}}}}, viewer).status == 403);
  auto unknown = put_levels(c, {{"levels", {{"transprot", "debug"}}}}, c.admin_token());
  CHECK(unknown.status == 400);
  CHECK_THAT(unknown.text, Catch::Contains("transprot"));

  auto changed = put_levels(c, {{"levels", {{"transport", "debug"}}}}, c.admin_token());
  INFO(changed.text);
  REQUIRE(changed.status == 200);
  CHECK(changed.body["level"] == "info");
  CHECK(changed.body["levels"]["transport"] == "debug");
  CHECK(changed.body["levels"]["ingest"] == "info");
  CHECK(changed.body["set"] == nlohmann::json{{"transport", "debug"}});
  CHECK(c.get("/api/v1/admin/log-levels", c.admin_token()).body == changed.body);

  send_garbage(c.port());
  CHECK(
      eventually([&] { return c.process().stderr_text().find(debug_line) != std::string::npos; }));
  // The other subsystems stay at info.
  CHECK(c.process().stderr_text().find("debug ingest:") == std::string::npos);

  auto audit = c.get("/api/v1/audit?type=log_levels.changed", c.admin_token());
  REQUIRE(audit.status == 200);
  REQUIRE(audit.body["events"].size() == 1);
  CHECK(audit.body["events"][0]["actor"] == "admin");

  // null: the subsystem follows the default level again.
  auto reset = put_levels(c, {{"levels", {{"transport", nullptr}}}}, c.admin_token());
  REQUIRE(reset.status == 200);
  CHECK(reset.body["levels"]["transport"] == "info");
  CHECK(reset.body["set"] == nlohmann::json::object());
}

TEST_CASE(
    "Log levels: SIGHUP applies the configuration's [log.levels] again and keeps them "
    "when the file is broken",
    "[integration][log-levels]") {
  CollectorFixture c(kInfoConfig);
  const auto config = c.root() / "collector.toml";
  auto original = read_file(config);
  REQUIRE(original);
  REQUIRE(write_file_atomic(config, *original + "[log.levels]\ningest = \"debug\"\n", 0644));
  REQUIRE(::kill(c.process().pid(), SIGHUP) == 0);
  CHECK(eventually([&] {
    return c.get("/api/v1/admin/log-levels", c.admin_token()).body["levels"]["ingest"] == "debug";
  }));

  // The agent's connection is an ingest debug line now.
  AgentFixture agent(c, "a1");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start();
  CHECK(eventually([&] {
    return c.process().stderr_text().find("ingest: device " + agent.device_id() +
                                          " connected from") != std::string::npos;
  }));

  REQUIRE(write_file_atomic(config, *original + "[log.levels]\ningest = \"loud\"\n", 0644));
  REQUIRE(::kill(c.process().pid(), SIGHUP) == 0);
  CHECK(eventually(
      [&] { return c.process().stderr_text().find("log levels unchanged") != std::string::npos; }));
  CHECK(c.get("/api/v1/admin/log-levels", c.admin_token()).body["levels"]["ingest"] == "debug");
  CHECK(c.process().running());
}
