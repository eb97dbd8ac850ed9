// Reports into PostgreSQL: an acknowledgement means that another connection to the database
// already sees the report and the device state it produced, and a PostgreSQL restart while a
// report is on its way to the database costs the agent a resend from its spool, never the
// report and never a second copy. A real PostgreSQL 15 (tests/support/postgres_server.hpp), a
// real node, a real agent or a probe speaking as the enrolled device. Label `postgres`.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "collector/storage/postgres/pg_connection.hpp"
#include "shared/protocol/codec.hpp"
#include "shared/protocol/delta.hpp"
#include "tests/integration/ws_probe.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/support/postgres_server.hpp"

using namespace triage;
using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

/// A node serving from a fresh database on `server`. The data directory's collector.toml
/// names that database too, so the fixture's CLI calls (token create) act on it.
struct PgNode {
  explicit PgNode(PostgresServer& server)
      : db(server.create_database()),
        node("[storage]\nbackend = \"postgres\"\nurl = \"" + db + "\"\n") {
    std::ofstream(node.data_dir() / "collector.toml")
        << "[storage]\nbackend = \"postgres\"\nurl = \"" << db << "\"\n";
  }
  std::string db;
  CollectorFixture node;
};

v1::Snapshot snapshot_of(const std::string& hostname, double load) {
  v1::Snapshot snapshot;
  snapshot.mutable_system()->set_hostname(hostname);
  snapshot.mutable_health()->mutable_load()->set_load1(load);
  return snapshot;
}

}  // namespace

TEST_CASE(
    "a PostgreSQL site: a delta is acknowledged only once another connection sees it stored "
    "with the state it produced",
    "[integration][pg]") {
  PgNode site(PostgresServer::shared());
  AgentFixture agent(site.node, "acked");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  auto observer = postgres::Connection::connect(site.db);
  REQUIRE(observer);

  auto tls = agent.device_tls();
  WsProbe probe(*tls, site.node.port());
  probe.connect();
  REQUIRE(probe.opened);
  REQUIRE(probe.hello());

  // Checked the moment each acknowledgement arrives, before the probe reads anything more.
  std::set<std::uint64_t> acked;
  std::vector<std::string> not_visible;
  probe.on_frame = [&](std::string_view frame) {
    auto message = protocol::decode_collector_message(frame);
    if (!message || !message->has_ack()) return;
    for (const auto& entry : message->ack().entries()) {
      if (entry.status() != v1::Ack::STORED) continue;
      acked.insert(entry.seq());
      auto row = (*observer)->query(
          "SELECT (SELECT count(*) FROM reports WHERE device_id = $1 AND seq = $2), "
          "(SELECT COALESCE(MAX(seq), 0) FROM device_state WHERE device_id = $1)",
          device, static_cast<std::int64_t>(entry.seq()));
      if (!row) {
        not_visible.push_back(row.error().message);
      } else if (row->int64(0, 0) != 1 ||
                 row->int64(0, 1) < static_cast<std::int64_t>(entry.seq())) {
        not_visible.push_back("#" + std::to_string(entry.seq()) + ": " +
                              std::to_string(row->int64(0, 0)) + " rows, state at #" +
                              std::to_string(row->int64(0, 1)));
      }
    }
  };

  // A full snapshot, then deltas that go back and forth between two states, all sent at once
  // so that batches commit while acknowledgements for earlier ones are on their way.
  const auto first = snapshot_of("before", 0.5);
  const auto second = snapshot_of("after", 2.5);
  constexpr std::uint64_t kReports = 40;
  for (std::uint64_t seq = 1; seq <= kReports; ++seq) {
    v1::AgentMessage report;
    report.set_seq(seq);
    if (seq == 1) {
      *report.mutable_snapshot()->mutable_snapshot() = first;
    } else {
      const bool forward = seq % 2 == 0;
      auto* delta = report.mutable_delta()->mutable_delta();
      *delta = forward ? protocol::diff_snapshots(first, second)
                       : protocol::diff_snapshots(second, first);
      delta->set_base_seq(seq - 1);
    }
    probe.connection->send(protocol::encode(report));
  }
  REQUIRE(probe.run_until([&] { return acked.size() == kReports || probe.closed; }, 60s));
  INFO(probe.close_reason);
  CHECK(not_visible.empty());
  for (const auto& why : not_visible) UNSCOPED_INFO(why);
  // Every delta applied: the state is the last one's.
  auto state =
      (*observer)->query("SELECT seq, stale FROM device_state WHERE device_id = $1", device);
  REQUIRE(state);
  REQUIRE(state->size() == 1);
  CHECK(state->int64(0, 0) == static_cast<std::int64_t>(kReports));
  CHECK_FALSE(state->boolean(0, 1));
}

TEST_CASE(
    "a PostgreSQL restart between receive and commit: the report is not acknowledged, and the "
    "agent's spool delivers it again, stored exactly once",
    "[integration][pg]") {
  // A server of its own: this test stops and starts it.
  PostgresServer server;
  PgNode site(server);
  AgentFixture agent(site.node, "restart");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto device = agent.device_id();
  agent.start({"--report-interval", "2"});
  REQUIRE(eventually([&] { return stored_report_seqs(site.db, device).size() >= 3; }, 60s));

  server.stop();
  // A report arrives while the database is down: its commit fails, and it is not
  // acknowledged.
  static const std::regex kFailed("device \\S+: storing (snapshot|delta) #([0-9]+): ");
  std::smatch m;
  std::string log;
  REQUIRE(eventually(
      [&] {
        log = site.node.process().stderr_text();
        return std::regex_search(log, m, kFailed);
      },
      60s));
  const auto lost = std::stoull(m[2]);
  const std::string acknowledged = "report #" + std::to_string(lost) + " acknowledged";
  CHECK(agent.process()->stderr_text().find(acknowledged) == std::string::npos);

  server.start();
  // Sent again from the spool, and stored once, with every report around it: no seq missing
  // from the first to the last stored, none twice.
  std::map<std::uint64_t, int> seqs;
  const bool delivered = eventually(
      [&] {
        seqs = stored_report_seqs(site.db, device);
        if (!seqs.contains(lost) || seqs.rbegin()->first <= lost + 1) return false;
        return seqs.size() == seqs.rbegin()->first - seqs.begin()->first + 1;
      },
      90s);
  std::string listing;
  for (const auto& [seq, rows] : seqs)
    listing += std::to_string(seq) + "x" + std::to_string(rows) + " ";
  INFO("stored: " << listing);
  INFO("collector: " << site.node.process().stderr_text().substr(0, 20000));
  CHECK(delivered);
  for (const auto& [seq, rows] : seqs) CHECK(rows == 1);
  CHECK(eventually(
      [&] { return agent.process()->stderr_text().find(acknowledged) != std::string::npos; }));
}
