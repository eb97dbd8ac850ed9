// Enrolled endpoints that turn hostile: reports whose bytes are within the frame limit but
// expand to millions of elements, deltas with more changes than any machine makes. Each is
// refused with its reason, the device is marked for a full snapshot, the collector's memory
// stays bounded, and a real agent is served all along.

#include <atomic>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "shared/protocol/codec.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/util/files.hpp"
#include "tests/integration/ws_probe.hpp"
#include "tests/support/collector_fixture.hpp"
#include "tests/support/sanitized_build.hpp"
#include "triage/v1/envelope.pb.h"

using namespace triage;
using namespace triage::testing;
using namespace std::chrono_literals;

namespace {

std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}

std::string field(int number, const std::string& bytes) {
  return varint(static_cast<std::uint64_t>(number) << 3 | 2) + varint(bytes.size()) + bytes;
}

/// AgentMessage{seq, snapshot{snapshot{software{two million empty packages}}}}: 4 MiB on the
/// wire, within the default frame limit.
std::string empty_packages_frame(std::uint64_t seq) {
  std::string packages;
  for (int i = 0; i < 2'000'000; ++i) packages += std::string("\x0a\x00", 2);
  const std::string snapshot = field(v1::Snapshot::kSoftwareFieldNumber, packages);
  const std::string report = field(v1::SnapshotReport::kSnapshotFieldNumber, snapshot);
  return varint(1 << 3) + varint(seq) + field(v1::AgentMessage::kSnapshotFieldNumber, report);
}

/// A /proc/PID/status value in KiB ("VmRSS", "VmHWM").
long status_kib(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

std::vector<v1::CollectorMessage> decoded(const WsProbe& probe) {
  std::vector<v1::CollectorMessage> out;
  for (const auto& frame : probe.received) {
    auto m = protocol::decode_collector_message(frame, 64 * 1024 * 1024);
    if (m) out.push_back(std::move(*m));
  }
  return out;
}

std::optional<v1::Ack::Entry> ack_for(const WsProbe& probe, std::uint64_t seq) {
  for (const auto& m : decoded(probe)) {
    for (const auto& e : m.ack().entries()) {
      if (e.seq() == seq) return e;
    }
  }
  return std::nullopt;
}

/// Plays an enrolled device's agent over a raw WebSocket.
struct ScriptedAgent {
  transport::SslContextPtr tls;
  std::unique_ptr<WsProbe> probe;

  ScriptedAgent(CollectorFixture& collector, AgentFixture& identity) {
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

  /// Sends the hello; true once the hello ack arrived.
  bool hello() {
    v1::AgentMessage hello;
    hello.mutable_hello()->set_protocol_min(1);
    hello.mutable_hello()->set_protocol_max(1);
    probe->connection->send(protocol::encode(hello));
    return probe->run_until([&] {
      for (const auto& m : decoded(*probe)) {
        if (m.has_hello_ack()) return true;
      }
      return false;
    });
  }

  /// Sends a frame and waits for the acknowledgement of `seq`.
  std::optional<v1::Ack::Entry> send(const std::string& frame, std::uint64_t seq,
                                     std::chrono::seconds limit = 20s) {
    probe->connection->send(frame);
    probe->run_until([&] { return ack_for(*probe, seq).has_value() || probe->closed; }, limit);
    return ack_for(*probe, seq);
  }

  bool asked_for_snapshot() {
    for (const auto& m : decoded(*probe)) {
      if (m.has_snapshot_request()) return true;
    }
    return false;
  }
};

v1::AgentMessage small_snapshot(std::uint64_t seq) {
  v1::AgentMessage m;
  m.set_seq(seq);
  auto* s = m.mutable_snapshot()->mutable_snapshot();
  s->set_schema_version(1);
  s->mutable_system()->set_hostname("hostile");
  return m;
}

}  // namespace

TEST_CASE("a delta over the change limit is refused and the device is marked for a snapshot",
          "[integration]") {
  CollectorFixture collector;
  AgentFixture identity(collector, "hostile");
  REQUIRE(identity.enroll().exit_code == 0);
  const auto id = identity.device_id();
  ScriptedAgent agent(collector, identity);
  REQUIRE(agent.hello());
  auto stored = agent.send(protocol::encode(small_snapshot(1)), 1);
  REQUIRE(stored);
  REQUIRE(stored->status() == v1::Ack::STORED);

  v1::AgentMessage delta;
  delta.set_seq(2);
  delta.mutable_delta()->mutable_delta()->set_base_seq(1);
  for (int i = 0; i < 10'001; ++i) {
    auto* change = delta.mutable_delta()->mutable_delta()->add_changes();
    change->set_kind(v1::Change::CHANGED);
    change->add_path()->set_field(v1::Snapshot::kSystemFieldNumber);
  }
  auto refused = agent.send(protocol::encode(delta), 2);
  REQUIRE(refused);
  CHECK(refused->status() == v1::Ack::REJECTED);
  CHECK_THAT(refused->reason(), Catch::Contains("Delta.changes holds more than 10000"));
  CHECK(agent.probe->run_until([&] { return agent.asked_for_snapshot(); }));
  CHECK_FALSE(agent.probe->closed);  // refused, not disconnected

  ApiResponse latest;
  CHECK(eventually([&] {
    latest = collector.get("/api/v1/devices/" + id + "/snapshots/latest", collector.admin_token());
    return latest.status == 200 && latest.body.value("stale", false);
  }));
  CHECK(latest.body["seq"] == 1);
  CHECK(latest.body["gap_seq"] == 2);
  // Not stored: the agent drops it, and its next full snapshot heals the state.
  CHECK(collector.reports(id).back().seq == 1);
  auto healed = agent.send(protocol::encode(small_snapshot(3)), 3);
  REQUIRE(healed);
  CHECK(healed->status() == v1::Ack::STORED);
  CHECK(eventually([&] {
    latest = collector.get("/api/v1/devices/" + id + "/snapshots/latest", collector.admin_token());
    return latest.status == 200 && !latest.body.value("stale", true);
  }));
}

TEST_CASE(
    "frames of two million empty packages from several devices at once cost the "
    "collector bounded memory while a real agent is served",
    "[integration]") {
  CollectorFixture collector;
  AgentFixture good(collector, "good");
  REQUIRE(good.enroll().exit_code == 0);
  good.start({"--report-interval", "2"});
  REQUIRE(eventually([&] { return device_online(collector, good.device_id()); }));
  auto good_reports = [&] { return collector.reports(good.device_id()).size(); };
  REQUIRE(eventually([&] { return good_reports() >= 2; }, 60s));

  constexpr int kDevices = 4;
  constexpr int kFramesEach = 3;
  std::vector<std::unique_ptr<AgentFixture>> identities;
  std::vector<std::unique_ptr<ScriptedAgent>> hostile;
  for (int i = 0; i < kDevices; ++i) {
    identities.push_back(std::make_unique<AgentFixture>(collector, "hostile" + std::to_string(i)));
    REQUIRE(identities.back()->enroll().exit_code == 0);
    hostile.push_back(std::make_unique<ScriptedAgent>(collector, *identities.back()));
    REQUIRE(hostile.back()->hello());
  }
  const pid_t pid = collector.process().pid();
  const long rss_before = status_kib(pid, "VmRSS");
  REQUIRE(rss_before > 0);
  const auto frame_for = [](std::uint64_t seq) { return empty_packages_frame(seq); };

  // Each device sends its frames from its own thread, all at once.
  std::vector<std::vector<std::optional<v1::Ack::Entry>>> acks(kDevices);
  std::vector<std::thread> senders;
  for (int d = 0; d < kDevices; ++d) {
    senders.emplace_back([&, d] {
      for (std::uint64_t seq = 1; seq <= kFramesEach; ++seq) {
        acks[static_cast<std::size_t>(d)].push_back(
            hostile[static_cast<std::size_t>(d)]->send(frame_for(seq), seq, 60s));
      }
    });
  }
  // Served meanwhile: its next report is stored while the frames arrive.
  const auto served_before = good_reports();
  const bool served = eventually([&] { return good_reports() > served_before; }, 60s);
  for (auto& t : senders) t.join();
  CHECK(served);

  for (int d = 0; d < kDevices; ++d) {
    for (const auto& ack : acks[static_cast<std::size_t>(d)]) {
      REQUIRE(ack);
      CHECK(ack->status() == v1::Ack::REJECTED);
      CHECK_THAT(ack->reason(), Catch::Contains("SoftwareInfo.packages"));
    }
    CHECK_FALSE(hostile[static_cast<std::size_t>(d)]->probe->closed);
  }
  const long rss_after = status_kib(pid, "VmRSS");
  const long peak = status_kib(pid, "VmHWM");
  INFO("collector RSS before " << rss_before << " KiB, after " << rss_after << " KiB, peak " << peak
                               << " KiB");
  if (kSanitizedBuild) {
    // ASan keeps freed blocks in its quarantine (256 MiB) and both sanitizers map shadow
    // memory: there the collector's RSS says nothing about what it holds. The plain build
    // (make test) checks the bound.
    WARN("collector RSS bounds not checked in a sanitizer build");
  } else {
    // Refused unparsed: what stays is at most the connections' read buffers (4 MiB each).
    CHECK(rss_after - rss_before < 48 * 1024);
    CHECK(peak - rss_before < 96 * 1024);
  }
  CHECK(device_online(collector, good.device_id()));
  const auto after_flood = good_reports();
  CHECK(eventually([&] { return good_reports() > after_flood; }, 60s));
}
