// The agent's live streamer with a real journal and this machine's /proc: a signed start
// streams numbered samples until stopped, and the history says who watched and for how long;
// an extension keeps the stream; a start for another session replaces it; a start the local
// policy switched off, a replayed one, one for another device, one longer than ten minutes
// and an unsigned one are refused with their reason.

#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "agent/live/live_sampler.hpp"
#include "agent/live/live_streamer.hpp"
#include "agent/live/live_verifier.hpp"
#include "agent/state/agent_state.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/pki/signatures.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;
using namespace std::chrono_literals;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Rig {
  testing::TempDir dir;
  pki::PKeyPtr key = std::move(*pki::generate_ed25519_key());
  std::unique_ptr<ActionJournal> journal;
  std::vector<v1::AgentMessage> sent;
  boost::asio::io_context ioc;

  Rig() { journal = std::move(*ActionJournal::open(dir.path() / "actions.db")); }

  v1::LivePayload payload(const std::string& id, std::int64_t minutes = 5) {
    v1::LivePayload p;
    p.set_live_session_id(id);
    p.set_device_id("dev-1");
    p.set_ends_at_unix_ms(now_ms() + minutes * 60'000);
    p.set_interval_ms(1000);
    p.set_ticket_id("7");
    p.set_requested_by("tech");
    p.set_issued_at_unix_ms(now_ms());
    p.set_expires_at_unix_ms(now_ms() + 60'000);
    p.set_nonce(pki::random_bytes(32));
    return p;
  }

  v1::SignedLiveStart sign(const v1::LivePayload& p) {
    return *protocol::sign_live_start(key.get(), "kid", p);
  }

  std::unique_ptr<LiveStreamer> streamer(ProbePolicy policy = {}) {
    LiveStreamerSettings settings;
    settings.pinned_key_pem = *pki::public_key_to_pem(key.get());
    settings.device_id = "dev-1";
    settings.policy = std::move(policy);
    return std::make_unique<LiveStreamer>(ioc, *journal, settings,
                                          [this](v1::AgentMessage m) { sent.push_back(m); });
  }

  std::size_t count(v1::AgentMessage::BodyCase kind) const {
    std::size_t n = 0;
    for (const auto& m : sent) n += m.body_case() == kind ? 1 : 0;
    return n;
  }

  void run_until(v1::AgentMessage::BodyCase kind, std::size_t n) {
    auto guard = boost::asio::make_work_guard(ioc);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (count(kind) < n && std::chrono::steady_clock::now() < deadline) {
      ioc.run_for(20ms);
      ioc.restart();
    }
    REQUIRE(count(kind) >= n);
  }

  std::vector<nlohmann::json> history() {
    std::vector<nlohmann::json> out;
    auto entries = journal->entries();
    REQUIRE(entries);
    for (auto& e : *entries) out.push_back(e.data);
    return out;
  }

  const v1::LiveEnded& last_end() const {
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      if (it->has_live_ended()) return it->live_ended();
    }
    FAIL("no LiveEnded sent");
    return sent.front().live_ended();
  }
};

}  // namespace

TEST_CASE("live streamer: a signed start streams numbered samples until staff stop it",
          "[live][streamer]") {
  Rig rig;
  auto streamer = rig.streamer();
  streamer->handle(rig.sign(rig.payload("l-1")));
  rig.run_until(v1::AgentMessage::kLiveSample, 2);
  const auto& first = rig.sent[0].live_sample();
  CHECK(first.live_session_id() == "l-1");
  CHECK(first.seq() == 1);
  CHECK(rig.sent[1].live_sample().seq() == 2);
  // This machine's own numbers: it has memory, and processes to rank.
  CHECK(first.memory_total_bytes() > 0);
  CHECK(first.memory_available_bytes() <= first.memory_total_bytes());
  CHECK(first.cpu_percent() >= 0);
  CHECK(first.cpu_percent() <= 100);
  CHECK(first.top_processes_size() > 0);
  CHECK(first.top_processes_size() <= kLiveTopProcesses);

  v1::LiveStop stop;
  stop.set_live_session_id("l-1");
  streamer->stop(stop);
  rig.run_until(v1::AgentMessage::kLiveEnded, 1);
  CHECK(rig.last_end().live_session_id() == "l-1");
  CHECK(rig.last_end().reason() == "stopped by staff");
  CHECK_FALSE(rig.last_end().refused());
  // Nothing follows the end.
  const auto samples = rig.count(v1::AgentMessage::kLiveSample);
  rig.ioc.restart();
  rig.ioc.run_for(1500ms);
  CHECK(rig.count(v1::AgentMessage::kLiveSample) == samples);

  auto history = rig.history();
  REQUIRE(history.size() == 2);
  CHECK(history[0]["kind"] == "live");
  CHECK(history[0]["outcome"] == "started");
  CHECK(history[0]["requested_by"] == "tech");
  CHECK(history[0]["ticket_id"] == "7");
  CHECK(history[1]["outcome"] == "ended");
  CHECK_THAT(history[1]["reason"].get<std::string>(), Catch::Contains("stopped by staff"));
}

TEST_CASE("live streamer: an extension keeps the stream, another session replaces it",
          "[live][streamer]") {
  Rig rig;
  auto streamer = rig.streamer();
  streamer->handle(rig.sign(rig.payload("l-1", 1)));
  rig.run_until(v1::AgentMessage::kLiveSample, 1);
  streamer->handle(rig.sign(rig.payload("l-1", 8)));
  rig.run_until(v1::AgentMessage::kLiveSample, 2);
  CHECK(rig.count(v1::AgentMessage::kLiveEnded) == 0);
  CHECK(rig.sent.back().live_sample().seq() == 2);

  streamer->handle(rig.sign(rig.payload("l-2")));
  rig.run_until(v1::AgentMessage::kLiveEnded, 1);
  CHECK(rig.last_end().live_session_id() == "l-1");
  CHECK_THAT(rig.last_end().reason(), Catch::Contains("replaced by live view l-2"));
  const auto before = rig.count(v1::AgentMessage::kLiveSample);
  rig.run_until(v1::AgentMessage::kLiveSample, before + 1);
  CHECK(rig.sent.back().live_sample().live_session_id() == "l-2");
  CHECK(rig.sent.back().live_sample().seq() == 1);
  auto history = rig.history();
  REQUIRE(history.size() >= 3);
  CHECK(history[1]["outcome"] == "extended");
}

TEST_CASE("live streamer: the connection's loss ends the stream without a word",
          "[live][streamer]") {
  Rig rig;
  auto streamer = rig.streamer();
  streamer->handle(rig.sign(rig.payload("l-1")));
  rig.run_until(v1::AgentMessage::kLiveSample, 1);
  streamer->connection_lost();
  const auto samples = rig.count(v1::AgentMessage::kLiveSample);
  rig.ioc.restart();
  rig.ioc.run_for(1500ms);
  CHECK(rig.count(v1::AgentMessage::kLiveSample) == samples);
  CHECK(rig.count(v1::AgentMessage::kLiveEnded) == 0);
  CHECK_THAT(rig.history().back()["reason"].get<std::string>(), Catch::Contains("connection lost"));
}

TEST_CASE("live streamer: policy, replay, another device, length and signature are checked",
          "[live][streamer][hostile]") {
  Rig rig;
  SECTION("the endpoint's policy switched the live view off") {
    ProbePolicy policy;
    policy.disabled = {"live"};
    auto streamer = rig.streamer(policy);
    streamer->handle(rig.sign(rig.payload("l-off")));
    rig.run_until(v1::AgentMessage::kLiveEnded, 1);
    CHECK(rig.last_end().refused());
    CHECK_THAT(rig.last_end().reason(), Catch::Contains("local policy"));
    CHECK(rig.history().back()["outcome"] == "refused");
  }
  SECTION("a replayed start") {
    auto streamer = rig.streamer();
    const auto start = rig.sign(rig.payload("l-r"));
    streamer->handle(start);
    v1::LiveStop stop;
    stop.set_live_session_id("l-r");
    streamer->stop(stop);
    rig.run_until(v1::AgentMessage::kLiveEnded, 1);
    streamer->handle(start);
    rig.run_until(v1::AgentMessage::kLiveEnded, 2);
    CHECK(rig.last_end().refused());
    CHECK_THAT(rig.last_end().reason(), Catch::Contains("replayed"));
  }
  SECTION("a start for another device") {
    auto streamer = rig.streamer();
    auto p = rig.payload("l-other");
    p.set_device_id("dev-2");
    streamer->handle(rig.sign(p));
    rig.run_until(v1::AgentMessage::kLiveEnded, 1);
    CHECK(rig.last_end().refused());
  }
  SECTION("a start longer than ten minutes") {
    auto streamer = rig.streamer();
    streamer->handle(rig.sign(rig.payload("l-long", 11)));
    rig.run_until(v1::AgentMessage::kLiveEnded, 1);
    CHECK(rig.last_end().refused());
    CHECK_THAT(rig.last_end().reason(), Catch::Contains("10 minutes"));
  }
  SECTION("a start signed by another key") {
    auto streamer = rig.streamer();
    auto other = std::move(*pki::generate_ed25519_key());
    auto start = *protocol::sign_live_start(other.get(), "kid", rig.payload("l-forged"));
    streamer->handle(start);
    rig.ioc.restart();
    rig.ioc.run_for(300ms);
    // Nothing unsigned is answered (there is no id to trust), nothing streams; it is recorded.
    CHECK(rig.sent.empty());
    CHECK(rig.history().back()["outcome"] == "refused");
  }
  SECTION("a signature made for a probe cannot start a live view") {
    auto streamer = rig.streamer();
    v1::SignedLiveStart start;
    rig.payload("l-probe").SerializeToString(start.mutable_payload());
    std::string as_probe(protocol::kProbeContext);
    as_probe.push_back('\0');
    as_probe += start.payload();
    start.set_signature(*pki::sign_ed25519(rig.key.get(), as_probe));
    streamer->handle(start);
    rig.ioc.restart();
    rig.ioc.run_for(300ms);
    CHECK(rig.sent.empty());
    CHECK(rig.history().back()["outcome"] == "refused");
  }
}
