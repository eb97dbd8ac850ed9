// Ingest under load and failure: metrics tell the truth, a flooding agent is throttled
// without disturbing others, and a collector killed with SIGKILL loses nothing it
// acknowledged.

#include <regex>
#include <set>

#include <catch2/catch.hpp>

#include "shared/protocol/codec.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/util/files.hpp"
#include "tests/integration/ws_probe.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage;
using namespace triage::testing;

TEST_CASE("metrics count connected agents and stored reports", "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start();
  CHECK(eventually([&] { return collector.metric("triage_connected_agents") == 1; }));
  CHECK(eventually(
      [&] { return collector.metric("triage_reports_total{outcome=\"stored\"}") >= 1; }));
  CHECK(collector.metric("triage_tls_handshakes_total") >= 1);
  CHECK(collector.metric("triage_open_files_limit") > 0);
  agent.stop();
  CHECK(eventually([&] { return collector.metric("triage_connected_agents") == 0; }));
}

TEST_CASE("a flooding agent is throttled while others are served", "[integration]") {
  CollectorFixture collector;
  AgentFixture good(collector, "good");
  AgentFixture noisy(collector, "noisy");
  REQUIRE(good.enroll().exit_code == 0);
  REQUIRE(noisy.enroll().exit_code == 0);

  auto dir = noisy.state_dir();
  auto tls =
      transport::make_client_tls_context({collector.ca_pem(), read_file(dir / "device.pem").value(),
                                          read_file(dir / "device.key").value()});
  REQUIRE(tls);
  WsProbe probe(**tls, collector.port());
  probe.connect();
  REQUIRE(probe.opened);
  v1::AgentMessage hello;
  hello.mutable_hello()->set_protocol_min(1);
  hello.mutable_hello()->set_protocol_max(1);
  probe.connection->send(protocol::encode(hello));
  v1::AgentMessage heartbeat;
  heartbeat.mutable_heartbeat()->set_spool_depth(0);
  for (int i = 0; i < 3000; ++i) probe.connection->send(protocol::encode(heartbeat));
  probe.run_until([&] { return probe.closed; }, std::chrono::seconds(2));

  good.start();
  REQUIRE(eventually([&] { return device_online(collector, good.device_id()); }));
  CHECK(eventually([&] {
    return collector
               .get("/api/v1/devices/" + good.device_id() + "/snapshots/latest",
                    collector.admin_token())
               .status == 200;
  }));
  CHECK(collector.metric("triage_refusals_total{reason=\"rate_limited\"}") > 0);
  // Throttled, not dropped: the noisy agent is still connected.
  CHECK_FALSE(probe.closed);
  CHECK(device_online(collector, noisy.device_id()));
}

TEST_CASE("an agent paused by a full ingest queue stays connected and gets every ack",
          "[integration]") {
  // A one-byte queue: every report fills it, so the session stops reading after each one
  // and reads again once the writer has committed it.
  CollectorFixture collector("[limits]\ningest_queue_bytes = 1\n");
  AgentFixture agent(collector, "paused");
  REQUIRE(agent.enroll().exit_code == 0);
  auto dir = agent.state_dir();
  auto tls =
      transport::make_client_tls_context({collector.ca_pem(), read_file(dir / "device.pem").value(),
                                          read_file(dir / "device.key").value()});
  REQUIRE(tls);
  WsProbe probe(**tls, collector.port());
  probe.connect();
  REQUIRE(probe.opened);
  v1::AgentMessage hello;
  hello.mutable_hello()->set_protocol_min(1);
  hello.mutable_hello()->set_protocol_max(1);
  probe.connection->send(protocol::encode(hello));
  REQUIRE(probe.run_until([&] { return !probe.received.empty() || probe.closed; }));
  constexpr std::uint64_t kReports = 5;
  for (std::uint64_t seq = 1; seq <= kReports; ++seq) {
    v1::AgentMessage report;
    report.set_seq(seq);
    report.mutable_snapshot()->mutable_snapshot()->mutable_system()->set_hostname("paused");
    probe.connection->send(protocol::encode(report));
  }
  std::set<std::uint64_t> acked;
  auto count_acks = [&] {
    acked.clear();
    for (const auto& frame : probe.received) {
      auto message = protocol::decode_collector_message(frame);
      if (!message || !message->has_ack()) continue;
      for (const auto& entry : message->ack().entries()) {
        if (entry.status() == v1::Ack::STORED) acked.insert(entry.seq());
      }
    }
    return acked.size() == kReports || probe.closed;
  };
  probe.run_until(count_acks);
  INFO(probe.close_reason);
  CHECK(acked.size() == kReports);
  CHECK_FALSE(probe.closed);
  CHECK(device_online(collector, agent.device_id()));
}

TEST_CASE("SIGKILL of the collector under load loses nothing acknowledged", "[integration]") {
  CollectorFixture collector;
  auto token = collector.create_token(100);
  ChildProcess loadgen({binary("triage-loadgen"), "--server", collector.wss_url(), "--ca",
                        (collector.data_dir() / "pki" / "ca.pem").string(), "--token", token,
                        "--identities", (collector.root() / "identities").string(), "--agents",
                        "20", "--threads", "1", "--delta-rate", "400", "--duration", "8",
                        "--database", (collector.data_dir() / "collector.db").string()},
                       collector.root(), "loadgen");
  // Kill the collector in the middle of the traffic, once reports are flowing.
  REQUIRE(
      eventually([&] { return collector.metric("triage_reports_total{outcome=\"stored\"}") > 300; },
                 std::chrono::seconds(60)));
  collector.process().kill_hard();
  auto exit_code = loadgen.wait_exit(std::chrono::seconds(120));
  INFO(loadgen.stdout_text() << loadgen.stderr_text());
  REQUIRE(exit_code.has_value());
  CHECK(*exit_code == 0);
  CHECK_THAT(loadgen.stdout_text(),
             Catch::Contains("verification: 0 acknowledged reports missing"));
  // The collector restarts on the same database and serves again.
  collector.start();
  CHECK(collector.get("/healthz").status == 200);
}
