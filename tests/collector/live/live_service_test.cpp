// LiveService against a real SQLite store: the signed start the agent receives, samples
// stored only for a running session of the device that sent them and capped again here
// (hostile lists and text), a second person joining, extension up to the longest a session may
// last, the collector's limit of sessions at once, stop, the agent's end and a disconnect.

#include <catch2/catch.hpp>

#include <cmath>

#include "collector/audit/audit_log.hpp"
#include "collector/live/live_service.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/pki/keys.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "tests/collector/actions/order_test_support.hpp"
#include "tests/support/recorded_agent_channel.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

struct World {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  testing::RecordedAgentChannel agents;
  pki::PKeyPtr key;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<LiveService> live;
  std::int64_t ticket_id = 0;
  TimePoint now = std::chrono::system_clock::now();

  explicit World(LiveSettings settings = {}) {
    store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
    key = std::move(*pki::generate_ed25519_key());
    audit = std::make_unique<AuditLog>(*store);
    live = std::make_unique<LiveService>(*store, agents, *audit, key.get(), "kid", settings);
    EnrollmentToken token;
    token.id = "t";
    token.token_hash = "h";
    token.created_at = now;
    token.expires_at = now + 1h;
    token.max_uses = 5;
    REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token); }));
    for (const char* id : {"dev-1", "dev-2"}) {
      Device d;
      d.id = id;
      d.certificate_sha256 = std::string(64, 'a');
      d.enrolled_at = now;
      REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().enroll_device("h", d, now); }));
      agents.set_online(id);
    }
    Ticket t;
    t.title = "slow laptop";
    t.created_at = t.updated_at = t.response_due_at = t.due_at = now;
    t.device_ids = {"dev-1"};
    REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(t, {}); }));
    ticket_id = t.id;
  }

  Result<LiveOpened> open(const std::string& device = "dev-1",
                          std::optional<std::int64_t> ticket = std::nullopt,
                          Role role = Role::kTechnician, const std::string& who = "tom") {
    LiveRequest r;
    r.device_id = device;
    r.ticket_id = ticket;
    r.minutes = 10;
    r.source = "10.0.0.9:5";
    return live->open(r, testing::staff_user(who, role), now);
  }

  v1::LivePayload sent_start(const std::string& device, std::size_t index = 0) {
    auto sent = agents.sent_to(device);
    REQUIRE(sent.size() > index);
    REQUIRE(sent[index].has_live_start());
    const auto& start = sent[index].live_start();
    REQUIRE(protocol::verify_payload(key.get(), protocol::kLiveContext, start.payload(),
                                     start.signature()));
    // Never valid as a probe or an order.
    CHECK_FALSE(protocol::verify_payload(key.get(), protocol::kProbeContext, start.payload(),
                                         start.signature()));
    v1::LivePayload p;
    REQUIRE(p.ParseFromString(start.payload()));
    return p;
  }

  v1::LiveSample sample(const std::string& session, std::uint32_t seq) {
    v1::LiveSample s;
    s.set_live_session_id(session);
    s.set_seq(seq);
    s.set_time_unix_ms(
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
    s.set_cpu_percent(12.5f);
    s.set_memory_total_bytes(1000);
    s.set_memory_available_bytes(400);
    return s;
  }
};

}  // namespace

TEST_CASE("live service: the start is signed for the device, the session stored and audited",
          "[live][service]") {
  World w;
  CHECK(w.open("dev-1", std::nullopt, Role::kViewer).error().code == ErrorCode::kDenied);
  auto opened = w.open("dev-1", w.ticket_id);
  REQUIRE(opened);
  CHECK_FALSE(opened->joined);
  const auto p = w.sent_start("dev-1");
  CHECK(p.live_session_id() == opened->session.id);
  CHECK(p.device_id() == "dev-1");
  CHECK(p.interval_ms() == 1000);
  CHECK(p.ticket_id() == std::to_string(w.ticket_id));
  CHECK(p.requested_by() == "tom");
  CHECK(p.nonce().size() == 32);
  CHECK(p.ends_at_unix_ms() - p.issued_at_unix_ms() == 10 * 60'000);
  auto stored = w.live->get(opened->session.id);
  REQUIRE(stored);
  CHECK(live_session_json(*stored, w.now)["state"] == "starting");
  // A second person joins it; nothing more is sent to the agent.
  auto joined = w.open("dev-1", std::nullopt, Role::kTechnician, "ann");
  REQUIRE(joined);
  CHECK(joined->joined);
  CHECK(joined->session.id == opened->session.id);
  CHECK(w.agents.sent_to("dev-1").size() == 1);
  // Not on a ticket the device is not linked to; not on an offline or unknown device.
  CHECK(w.open("dev-2", w.ticket_id).error().code == ErrorCode::kConflict);
  w.agents.set_online("dev-2", false);
  CHECK(w.open("dev-2").error().code == ErrorCode::kConflict);
  CHECK(w.open("dev-9").error().code == ErrorCode::kNotFound);
}

TEST_CASE("live service: samples are stored for the sending device's running session only",
          "[live][service][hostile]") {
  World w;
  auto opened = w.open("dev-1");
  REQUIRE(opened);
  const auto id = opened->session.id;
  w.live->accept_sample("dev-1", w.sample(id, 1));
  // Another device claiming the session, a sample without a session or seq: dropped.
  w.live->accept_sample("dev-2", w.sample(id, 2));
  w.live->accept_sample("dev-1", w.sample("", 3));
  w.live->accept_sample("dev-1", w.sample(id, 0));
  // A hostile sample: too many processes and error lines, control characters, NaN.
  auto hostile = w.sample(id, 4);
  hostile.set_cpu_percent(std::nanf(""));
  for (int i = 0; i < 50; ++i) {
    auto* p = hostile.add_top_processes();
    p->set_pid(static_cast<std::uint32_t>(i));
    p->set_name("evil\x1b[31m" + std::string(500, 'x'));
    auto* e = hostile.add_new_errors();
    e->set_message(std::string(5000, 'm'));
  }
  w.live->accept_sample("dev-1", hostile);
  auto stored = w.live->flush();
  REQUIRE(stored);
  CHECK(*stored == 2);
  auto samples = w.live->samples(id, 0, 100);
  REQUIRE(samples);
  REQUIRE(samples->size() == 2);
  CHECK((*samples)[0]["seq"] == 1);
  CHECK((*samples)[0]["cpu_percent"] == 12.5);
  const auto& h = (*samples)[1];
  CHECK(h["seq"] == 4);
  CHECK(h["cpu_percent"] == 0);
  CHECK(h["top_processes"].size() == 5);
  CHECK(h["top_processes"][0]["name"].get<std::string>().size() == 128);
  CHECK(h["top_processes"][0]["name"].get<std::string>().find('\x1b') == std::string::npos);
  CHECK(h["new_errors"].size() == 10);
  CHECK(h["errors_left_out"] == 40);
  CHECK(h["new_errors"][0]["message"].get<std::string>().size() == 1024);
  CHECK(w.live->get(id)->samples == 2);
  // After a stop, samples still in flight are not kept.
  REQUIRE(w.live->stop(id, testing::staff_user("tom", Role::kTechnician), "", w.now));
  w.live->accept_sample("dev-1", w.sample(id, 5));
  CHECK(*w.live->flush() == 0);
  auto sent = w.agents.sent_to("dev-1");
  REQUIRE(sent.back().has_live_stop());
  CHECK(sent.back().live_stop().live_session_id() == id);
}

TEST_CASE("live service: the limit of sessions at once, extension, the agent's end, disconnects",
          "[live][service]") {
  LiveSettings settings;
  settings.max_sessions = 1;
  settings.max_length = 15min;
  World w(settings);
  auto first = w.open("dev-1", w.ticket_id);
  REQUIRE(first);
  auto refused = w.open("dev-2");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(refused.error().message, Catch::Contains("1 live views are running"));

  // Extended: a new signed start with the same id and a later end, capped at the longest.
  w.now += 8min;
  auto extended = w.live->extend(first->session.id, 10,
                                 testing::staff_user("tom", Role::kTechnician), "", w.now);
  REQUIRE(extended);
  CHECK(extended->ends_at == first->session.ends_at + 5min);
  const auto p = w.sent_start("dev-1", 1);
  CHECK(p.live_session_id() == first->session.id);
  CHECK(p.ends_at_unix_ms() ==
        std::chrono::duration_cast<std::chrono::milliseconds>(extended->ends_at.time_since_epoch())
            .count());
  CHECK(
      w.live
          ->extend(first->session.id, 10, testing::staff_user("tom", Role::kTechnician), "", w.now)
          .error()
          .code == ErrorCode::kConflict);

  // The agent refused it: ended with its reason, once; the place is free again.
  v1::LiveEnded ended;
  ended.set_live_session_id(first->session.id);
  ended.set_reason("refused: local policy has switched off the live view on this endpoint");
  ended.set_refused(true);
  REQUIRE(w.live->record_ended("dev-2", ended, w.now));  // another device's word: ignored
  CHECK_FALSE(w.live->get(first->session.id)->ended_at);
  REQUIRE(w.live->record_ended("dev-1", ended, w.now));
  auto after = w.live->get(first->session.id);
  CHECK(after->ended_at);
  CHECK_THAT(after->end_reason, Catch::Contains("local policy"));
  auto sessions = w.live->ticket_sessions(w.ticket_id);
  REQUIRE(sessions);
  REQUIRE(sessions->size() == 1);

  auto second = w.open("dev-2");
  REQUIRE(second);
  REQUIRE(w.live->device_disconnected("dev-2", w.now));
  CHECK(w.live->get(second->session.id)->end_reason == "the device disconnected");
}
