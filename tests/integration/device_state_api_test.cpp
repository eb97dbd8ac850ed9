// The device's current state over the REST API with real processes: deltas from a real agent
// keep /snapshots/latest current, a gap makes the collector ask for a full snapshot, metric
// history for charts, and owner/tags set by technicians and used as list filters.

#include <google/protobuf/util/json_util.h>

#include <catch2/catch.hpp>

#include "shared/protocol/codec.hpp"
#include "shared/protocol/delta.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/util/files.hpp"
#include "tests/integration/ws_probe.hpp"
#include "tests/support/collector_fixture.hpp"
#include "triage/v1/envelope.pb.h"

using namespace triage;
using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

std::string latest_path(const std::string& id) {
  return "/api/v1/devices/" + id + "/snapshots/latest";
}

/// The newest state rebuilt the way a reader of the raw reports would: the last full snapshot
/// with every later delta applied in order.
std::optional<v1::Snapshot> rebuild(const std::vector<ReportRow>& rows, std::uint64_t& seq) {
  std::optional<v1::Snapshot> state;
  for (const auto& row : rows) {
    v1::AgentMessage m;
    REQUIRE(m.ParseFromString(row.payload));
    if (m.has_snapshot()) {
      state = m.snapshot().snapshot();
      seq = row.seq;
    } else if (m.has_delta() && state) {
      REQUIRE(m.delta().delta().base_seq() == seq);
      auto next = protocol::apply_delta(*state, m.delta().delta());
      REQUIRE(next);
      state = std::move(*next);
      seq = row.seq;
    }
  }
  return state;
}

nlohmann::json as_json(const v1::Snapshot& snapshot) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  REQUIRE(google::protobuf::util::MessageToJsonString(snapshot, &json, options).ok());
  return nlohmann::json::parse(json);
}

std::vector<v1::CollectorMessage> decoded(const WsProbe& probe) {
  std::vector<v1::CollectorMessage> out;
  for (const auto& frame : probe.received) {
    auto m = protocol::decode_collector_message(frame, 64 * 1024 * 1024);
    if (m) out.push_back(std::move(*m));
  }
  return out;
}

/// Plays an agent of an enrolled device over a raw WebSocket.
struct ScriptedAgent {
  transport::SslContextPtr tls;
  std::unique_ptr<WsProbe> probe;

  CollectorFixture& collector_;
  ScriptedAgent(CollectorFixture& collector, AgentFixture& identity) : collector_(collector) {
    auto dir = identity.state_dir();
    auto ctx = transport::make_client_tls_context({collector.ca_pem(),
                                                   read_file(dir / "device.pem").value(),
                                                   read_file(dir / "device.key").value()});
    REQUIRE(ctx);
    tls = std::move(*ctx);
    probe = std::make_unique<WsProbe>(*tls, collector.port());
    probe->connect();
    REQUIRE(probe->opened);
  }

  /// Sends the hello and returns the hello ack.
  v1::HelloAck hello() {
    v1::AgentMessage hello;
    hello.mutable_hello()->set_protocol_min(1);
    hello.mutable_hello()->set_protocol_max(1);
    probe->connection->send(protocol::encode(hello));
    std::optional<v1::HelloAck> ack;
    bool answered = probe->run_until([&] {
      for (const auto& m : decoded(*probe)) {
        if (m.has_hello_ack()) ack = m.hello_ack();
      }
      return ack.has_value();
    });
    if (!answered) FAIL(collector_.process().stderr_text());
    return *ack;
  }

  /// Sends `message` and waits for its acknowledgement.
  void send(const v1::AgentMessage& message) {
    probe->connection->send(protocol::encode(message));
    REQUIRE(probe->run_until([&] {
      for (const auto& m : decoded(*probe)) {
        for (const auto& e : m.ack().entries()) {
          if (e.seq() == message.seq()) return true;
        }
      }
      return false;
    }));
  }

  bool asked_for_snapshot() {
    for (const auto& m : decoded(*probe)) {
      if (m.has_snapshot_request()) return true;
    }
    return false;
  }
};

v1::Snapshot machine(const std::string& hostname, float memory_pct) {
  v1::Snapshot s;
  s.set_schema_version(1);
  s.set_collected_at_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
  s.mutable_system()->set_hostname(hostname);
  s.mutable_hardware()->mutable_memory()->set_used_percent(memory_pct);
  return s;
}

v1::AgentMessage snapshot_message(std::uint64_t seq, const v1::Snapshot& s) {
  v1::AgentMessage m;
  m.set_seq(seq);
  *m.mutable_snapshot()->mutable_snapshot() = s;
  return m;
}

v1::AgentMessage delta_message(std::uint64_t seq, std::uint64_t base, const v1::Snapshot& from,
                               const v1::Snapshot& to) {
  v1::AgentMessage m;
  m.set_seq(seq);
  *m.mutable_delta()->mutable_delta() = protocol::diff_snapshots(from, to);
  m.mutable_delta()->mutable_delta()->set_base_seq(base);
  return m;
}

}  // namespace

TEST_CASE("deltas from a real agent keep the latest snapshot current, history has points",
          "[integration]") {
  CollectorFixture collector;
  AgentFixture agent(collector, "a");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  agent.start({"--report-interval", "2"});
  auto deltas = [&] {
    auto rows = collector.reports(id);
    return std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.kind == "delta"; });
  };
  REQUIRE(eventually([&] { return deltas() >= 2; }, 90s));
  agent.stop();

  // Reports still in the collector's queue commit in a moment: compare once both agree.
  std::uint64_t chain_seq = 0;
  std::optional<v1::Snapshot> expected;
  ApiResponse latest;
  REQUIRE(eventually([&] {
    expected = rebuild(collector.reports(id), chain_seq);
    latest = collector.get(latest_path(id), collector.admin_token());
    return expected && latest.status == 200 && latest.body["seq"].get<std::uint64_t>() == chain_seq;
  }));
  CHECK(latest.body["stale"] == false);
  CHECK(latest.body["reported_by"] == "endpoint");
  CHECK(latest.body["base_seq"].get<std::uint64_t>() < chain_seq);  // a delta, not a snapshot
  CHECK_FALSE(latest.body["as_of"].get<std::string>().empty());
  CHECK(latest.body["snapshot"] == as_json(*expected));

  auto viewer = collector.login_as("lena", "viewer");
  auto history = collector.get("/api/v1/devices/" + id + "/history?metric=memory.used_pct", viewer);
  REQUIRE(history.status == 200);
  CHECK(history.body["metric"] == "memory.used_pct");
  // One point per state: the snapshot and each delta applied after it.
  CHECK(history.body["points"].size() >= 3);
  for (const auto& p : history.body["points"]) {
    CHECK(p["value"].get<double>() >= 0);
    CHECK(p["value"].get<double>() <= 100);
  }
  auto window = collector.get("/api/v1/devices/" + id +
                                  "/history?metric=memory.used_pct&since=2000-01-01T00:00:00Z"
                                  "&until=2000-01-02T00:00:00Z",
                              viewer);
  REQUIRE(window.status == 200);
  CHECK(window.body["points"].empty());

  CHECK(collector.get("/api/v1/devices/" + id + "/history?metric=cpu.temp", viewer).status == 400);
  CHECK(collector.get("/api/v1/devices/" + id + "/history", viewer).status == 400);
  CHECK(collector.get("/api/v1/devices/" + id + "/history?metric=cpu.load1&since=yesterday", viewer)
            .status == 400);
  CHECK(collector.get("/api/v1/devices/nope/history?metric=cpu.load1", viewer).status == 404);
  CHECK(collector.get("/api/v1/devices/" + id + "/history?metric=cpu.load1").status == 401);
}

TEST_CASE("a gap in the delta chain: stored, not applied, state stale until a full snapshot",
          "[integration]") {
  CollectorFixture collector;
  AgentFixture identity(collector, "scripted");
  REQUIRE(identity.enroll().exit_code == 0);
  const auto id = identity.device_id();
  auto s1 = machine("pc-1", 30);
  auto s2 = machine("pc-1", 35);
  auto s3 = machine("pc-1", 40);
  {
    ScriptedAgent agent(collector, identity);
    CHECK(agent.hello().want_full_snapshot());  // nothing to apply deltas to yet
    agent.send(snapshot_message(1, s1));
    agent.send(delta_message(2, 1, s1, s2));
    CHECK_FALSE(agent.asked_for_snapshot());
    // Report 3 is lost: 4 is relative to it.
    agent.send(delta_message(4, 3, s2, s3));
    CHECK(agent.probe->run_until([&] { return agent.asked_for_snapshot(); }));
  }
  auto latest = collector.get(latest_path(id), collector.admin_token());
  REQUIRE(latest.status == 200);
  CHECK(latest.body["stale"] == true);
  CHECK(latest.body["seq"] == 2);
  CHECK(latest.body["gap_seq"] == 4);
  CHECK(latest.body["snapshot"]["hardware"]["memory"]["used_percent"].get<double>() == Approx(35));
  // The delta was stored as received all the same.
  CHECK(collector.reports(id).back().seq == 4);

  ScriptedAgent again(collector, identity);
  auto ack = again.hello();
  CHECK(ack.want_full_snapshot());  // still stale: asked again on reconnect
  CHECK(ack.last_committed_seq() == 4);
  again.send(snapshot_message(5, s3));
  latest = collector.get(latest_path(id), collector.admin_token());
  REQUIRE(latest.status == 200);
  CHECK(latest.body["stale"] == false);
  CHECK(latest.body["seq"] == 5);
  CHECK_FALSE(latest.body.contains("gap_seq"));
  CHECK(latest.body["snapshot"]["hardware"]["memory"]["used_percent"].get<double>() == Approx(40));
}

TEST_CASE("technicians set owner and tags, the device list filters by them", "[integration]") {
  CollectorFixture collector;
  AgentFixture a(collector, "a");
  AgentFixture b(collector, "b");
  REQUIRE(a.enroll().exit_code == 0);
  REQUIRE(b.enroll().exit_code == 0);
  const auto path = "/api/v1/devices/" + a.device_id();
  const nlohmann::json change = {{"owner", "Ana@Example.com"}, {"tags", {"Finance", "laptop"}}};

  auto viewer = collector.login_as("lena", "viewer");
  auto refused = collector.patch(path, change, viewer);
  CHECK(refused.status == 403);
  CHECK_THAT(refused.body["error"]["message"].get<std::string>(), Catch::Contains("technician"));

  auto tech = collector.login_as("tom", "technician");
  auto updated = collector.patch(path, change, tech);
  REQUIRE(updated.status == 200);
  CHECK(updated.body["owner"] == "Ana@Example.com");
  CHECK(updated.body["tags"] == nlohmann::json({"finance", "laptop"}));
  CHECK(collector.get(path, viewer).body["tags"] == nlohmann::json({"finance", "laptop"}));

  CHECK(collector.patch(path, {{"tags", {"has space"}}}, tech).status == 400);
  CHECK(collector.patch(path, {{"tags", "finance"}}, tech).status == 400);
  CHECK(collector.patch(path, {{"owner", std::string(300, 'x')}}, tech).status == 400);
  CHECK(collector.patch(path, {{"ownr", "x"}}, tech).status == 400);
  CHECK(collector.patch("/api/v1/devices/nope", change, tech).status == 404);

  auto ids = [&](const std::string& query) {
    auto list = collector.get("/api/v1/devices?" + query, viewer);
    REQUIRE(list.status == 200);
    std::vector<std::string> out;
    for (const auto& d : list.body["devices"]) out.push_back(d["id"]);
    return out;
  };
  CHECK(ids("tag=finance") == std::vector<std::string>{a.device_id()});
  CHECK(ids("tag=FINANCE,laptop") == std::vector<std::string>{a.device_id()});
  CHECK(ids("tag=finance,desktop").empty());
  CHECK(ids("owner=ana%40example.com") == std::vector<std::string>{a.device_id()});
  CHECK(ids("owner=bob%40example.com").empty());
  CHECK(ids("").size() == 2);

  // Only tags change: the owner stays; an empty list clears the tags.
  auto cleared = collector.patch(path, {{"tags", nlohmann::json::array()}}, tech);
  REQUIRE(cleared.status == 200);
  CHECK(cleared.body["owner"] == "Ana@Example.com");
  CHECK(cleared.body["tags"].empty());
  CHECK(ids("tag=finance").empty());
}
