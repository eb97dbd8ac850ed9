// The materialized device state, kept by the ingest writer on a real SQLite file: snapshots
// and deltas in order give exactly the newest snapshot; a gap leaves the state at the last
// consistent point, marked stale, until a full snapshot heals it; metric points follow.
#include <future>

#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>

#include "collector/ingest/ingest_writer.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/protocol/delta.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"
#include "triage/v1/envelope.pb.h"

using namespace triage;
using namespace triage::collector;
using google::protobuf::util::MessageDifferencer;

namespace {

constexpr const char* kDevice = "d1";

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store =
      std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  std::unique_ptr<IngestWriter> writer;
  Fixture() {
    auto now = std::chrono::system_clock::now();
    EnrollmentToken t{"t", "h", now, now + std::chrono::hours(1), 10, 0, "", std::nullopt};
    REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().insert_enrollment_token(t); }));
    Device d;
    d.id = kDevice;
    d.certificate_sha256 = "x";
    d.enrolled_at = now;
    REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().enroll_device("h", d, now); }));
    writer = std::make_unique<IngestWriter>(*store, IngestOptions{});
  }

  /// Submits one report and waits for its commit.
  IngestOutcome ingest(const v1::AgentMessage& message) {
    StoredReport report{kDevice, message.seq(), message.has_snapshot() ? "snapshot" : "delta",
                        std::chrono::system_clock::now(), message.SerializeAsString()};
    std::promise<Result<IngestOutcome>> done;
    auto future = done.get_future();
    writer->submit(std::move(report),
                   [&done](const Result<IngestOutcome>& r) { done.set_value(r); });
    auto result = future.get();
    REQUIRE(result);
    return *result;
  }

  DeviceState state() {
    auto s = store->read().reports().device_state(kDevice, true);
    REQUIRE(s);
    REQUIRE(s->has_value());
    return **s;
  }

  v1::Snapshot state_snapshot() {
    v1::Snapshot snap;
    REQUIRE(snap.ParseFromString(state().snapshot));
    return snap;
  }
};

v1::Snapshot machine(std::int64_t at_ms, float memory_pct, float root_pct, bool with_home) {
  v1::Snapshot s;
  s.set_schema_version(1);
  s.set_collected_at_unix_ms(at_ms);
  s.mutable_system()->set_hostname("pc-1");
  s.mutable_hardware()->mutable_memory()->set_total_bytes(8ull << 30);
  s.mutable_hardware()->mutable_memory()->set_used_percent(memory_pct);
  auto* root = s.mutable_hardware()->add_filesystems();
  root->set_mount_point("/");
  root->set_fs_type("ext4");
  root->set_used_percent(root_pct);
  if (with_home) {
    auto* home = s.mutable_hardware()->add_filesystems();
    home->set_mount_point("/home");
    home->set_fs_type("ext4");
    home->set_used_percent(40);
  }
  s.mutable_health()->mutable_load()->set_load1(0.5);
  return s;
}

v1::AgentMessage snapshot_message(std::uint64_t seq, const v1::Snapshot& s) {
  v1::AgentMessage m;
  m.set_seq(seq);
  *m.mutable_snapshot()->mutable_snapshot() = s;
  return m;
}

v1::AgentMessage delta_message(std::uint64_t seq, std::uint64_t base_seq, const v1::Snapshot& from,
                               const v1::Snapshot& to) {
  v1::AgentMessage m;
  m.set_seq(seq);
  auto* delta = m.mutable_delta()->mutable_delta();
  *delta = protocol::diff_snapshots(from, to);
  delta->set_base_seq(base_seq);
  return m;
}

std::vector<MetricPoint> points(Fixture& f, const std::string& metric) {
  auto p = f.store->read().reports().metric_points(
      kDevice, metric, TimePoint{}, std::chrono::system_clock::now() + std::chrono::hours(1), 100);
  REQUIRE(p);
  return *p;
}

}  // namespace

TEST_CASE("the state after a snapshot and deltas equals applying them in order") {
  Fixture f;
  auto s1 = machine(1000, 30, 50, true);
  auto s2 = machine(2000, 35, 51, false);  // /home unmounted
  auto s3 = machine(3000, 60, 52, true);   // and back
  CHECK(f.ingest(snapshot_message(1, s1)).state == StateEffect::kApplied);
  CHECK(f.ingest(delta_message(2, 1, s1, s2)).state == StateEffect::kApplied);
  CHECK(f.ingest(delta_message(3, 2, s2, s3)).state == StateEffect::kApplied);

  auto state = f.state();
  CHECK(state.seq == 3);
  CHECK(state.base_seq == 1);
  CHECK_FALSE(state.stale);
  CHECK(MessageDifferencer::Equals(f.state_snapshot(), s3));

  // Each new state left its metric points, stamped with the endpoint's collection time.
  auto memory = points(f, "memory.used_pct");
  REQUIRE(memory.size() == 3);
  CHECK(memory[0].value == Approx(30));
  CHECK(memory[2].value == Approx(60));
  CHECK(memory[2].t == TimePoint(std::chrono::milliseconds(3000)));
  CHECK(points(f, "disk.root.used_pct").size() == 3);
  CHECK(points(f, "disk.home.used_pct").size() == 2);
  CHECK(points(f, "cpu.load1").size() == 3);

  // A resent delta is a duplicate: acknowledged, the state does not move.
  auto again = f.ingest(delta_message(3, 2, s2, s3));
  CHECK_FALSE(again.stored);
  CHECK(again.state == StateEffect::kNone);
  CHECK(f.state().seq == 3);
}

TEST_CASE("a gap leaves the state at the last consistent point, stale, until a snapshot") {
  Fixture f;
  auto s1 = machine(1000, 30, 50, true);
  auto s2 = machine(2000, 35, 51, true);
  auto s3 = machine(3000, 40, 52, true);
  auto s4 = machine(4000, 45, 53, true);
  f.ingest(snapshot_message(1, s1));
  f.ingest(delta_message(2, 1, s1, s2));

  SECTION("a delta whose base is not the state's report") {
    // Report 3 never arrived: 4 is relative to it.
    auto gap = f.ingest(delta_message(4, 3, s3, s4));
    CHECK(gap.stored);
    CHECK(gap.state == StateEffect::kGap);
  }
  SECTION("a delta that does not apply to the state") {
    // Computed against a base with /data mounted, which the state never had.
    auto with_data = s2;
    auto* data = with_data.mutable_hardware()->add_filesystems();
    data->set_mount_point("/data");
    data->set_used_percent(10);
    auto gap = f.ingest(delta_message(3, 2, with_data, s3));
    CHECK(gap.stored);
    CHECK(gap.state == StateEffect::kGap);
  }
  auto stale = f.state();
  CHECK(stale.stale);
  CHECK(stale.seq == 2);
  CHECK(stale.gap_seq > 2);
  const auto consistent_seq = stale.seq;
  const auto consistent = f.state_snapshot();
  CHECK(MessageDifferencer::Equals(consistent, s2));

  // Later deltas are stored but not applied, and not asked about again.
  auto later = f.ingest(delta_message(20, 19, s4, s1));
  CHECK(later.stored);
  CHECK(later.state == StateEffect::kNone);
  CHECK(f.state().seq == consistent_seq);
  CHECK(MessageDifferencer::Equals(f.state_snapshot(), consistent));

  // The full snapshot heals it.
  CHECK(f.ingest(snapshot_message(21, s4)).state == StateEffect::kApplied);
  auto healed = f.state();
  CHECK_FALSE(healed.stale);
  CHECK(healed.seq == 21);
  CHECK(healed.base_seq == 21);
  CHECK(MessageDifferencer::Equals(f.state_snapshot(), s4));
  // And deltas apply again from there.
  CHECK(f.ingest(delta_message(22, 21, s4, s1)).state == StateEffect::kApplied);
  CHECK(MessageDifferencer::Equals(f.state_snapshot(), s1));
}

TEST_CASE("a delta before any full snapshot is a gap and creates no state") {
  Fixture f;
  auto s1 = machine(1000, 30, 50, true);
  auto s2 = machine(2000, 35, 51, true);
  CHECK(f.ingest(delta_message(5, 4, s1, s2)).state == StateEffect::kGap);
  auto state = f.store->read().reports().device_state(kDevice, false);
  REQUIRE(state);
  CHECK_FALSE(state->has_value());
  CHECK(f.store->read().reports().last_report_seq(kDevice).value() == 5);
}

namespace {

// Runs one batch through `m` and commits it, as the ingest writer does.
std::vector<StateEffect> run_batch(Fixture& f, StateMaterializer& m,
                                   const std::vector<v1::AgentMessage>& messages) {
  std::vector<StoredReport> reports;
  for (const auto& message : messages) {
    reports.push_back(StoredReport{kDevice, message.seq(),
                                   message.has_snapshot() ? "snapshot" : "delta",
                                   std::chrono::system_clock::now(), message.SerializeAsString()});
  }
  std::vector<StateEffect> effects;
  auto batch = m.prepare(std::move(reports), effects);
  REQUIRE(batch);
  REQUIRE(f.store->write([&](WriteTx& tx) { return tx.reports().store_ingest(*batch); }));
  m.committed();
  return effects;
}

// A steady clock moved by hand. It starts at an uptime GENERATE picks: a minute after boot
// (as on a freshly booted CI machine) or a hundred days after, and the materializer must decide
// the same at both.
struct UptimeClock : testing::ManualClock {
  UptimeClock()
      : testing::ManualClock(std::chrono::steady_clock::time_point{} +
                             GENERATE(as<std::chrono::minutes>{}, std::chrono::minutes(1),
                                      std::chrono::hours(24 * 100))) {}
};

MaterializerOptions always_under_load(UptimeClock& clock) {
  MaterializerOptions o;
  o.defer_batch = 1;
  o.defer_interval = std::chrono::hours(1);
  o.clock = &clock;
  return o;
}

MaterializerOptions under_load_every_20ms(UptimeClock& clock) {
  MaterializerOptions o;
  o.defer_batch = 1;
  o.defer_interval = std::chrono::milliseconds(20);
  o.clock = &clock;
  return o;
}

}  // namespace

TEST_CASE("under load a recent state defers its deltas, and a pass applies them in order") {
  UptimeClock clock;
  Fixture f;
  StateMaterializer m(*f.store, always_under_load(clock));
  auto s1 = machine(1000, 30, 50, true);
  auto s2 = machine(2000, 35, 51, false);
  auto s3 = machine(3000, 60, 52, true);
  CHECK(run_batch(f, m, {snapshot_message(1, s1)})[0] == StateEffect::kApplied);
  CHECK(run_batch(f, m, {delta_message(2, 1, s1, s2)})[0] == StateEffect::kDeferred);
  CHECK(run_batch(f, m, {delta_message(3, 2, s2, s3)})[0] == StateEffect::kDeferred);
  // The deltas are stored and the chain is checked, but the state is where it was.
  CHECK(f.state().seq == 1);
  CHECK(m.deferred_devices() == 1);
  // A delta that does not extend the chain is still a gap.
  auto s4 = machine(4000, 61, 52, true);
  CHECK(run_batch(f, m, {delta_message(5, 9, s3, s4)})[0] == StateEffect::kGap);
  CHECK(f.state().stale);
  // The gap turned the state stale: nothing more to apply until a full snapshot.
  std::vector<std::string> applied;
  auto flushed = m.flush_deferred(100, /*idle=*/true, applied);
  REQUIRE(flushed);
  CHECK(flushed->states.empty());
  m.committed();
  CHECK(m.deferred_devices() == 0);
}

TEST_CASE("deferred deltas are applied by a pass, and found again after a restart") {
  UptimeClock clock;
  Fixture f;
  auto s1 = machine(1000, 30, 50, true);
  auto s2 = machine(2000, 35, 51, false);
  auto s3 = machine(3000, 60, 52, true);
  auto s4 = machine(4000, 70, 53, true);
  auto s5 = machine(5000, 75, 54, false);
  {
    StateMaterializer m(*f.store, always_under_load(clock));
    run_batch(f, m, {snapshot_message(1, s1)});
    CHECK(run_batch(f, m, {delta_message(2, 1, s1, s2), delta_message(3, 2, s2, s3)}) ==
          std::vector<StateEffect>{StateEffect::kDeferred, StateEffect::kDeferred});
    std::vector<std::string> applied;
    auto flushed = m.flush_deferred(100, /*idle=*/true, applied);
    REQUIRE(flushed);
    REQUIRE(f.store->write([&](WriteTx& tx) { return tx.reports().store_ingest(*flushed); }));
    m.committed();
    CHECK(applied == std::vector<std::string>{kDevice});
    CHECK(f.state().seq == 3);
    CHECK(MessageDifferencer::Equals(f.state_snapshot(), s3));
    CHECK(points(f, "memory.used_pct").back().value == Approx(60));
    // Deferred again, then the collector stops before a pass.
    CHECK(run_batch(f, m, {delta_message(4, 3, s3, s4)})[0] == StateEffect::kDeferred);
  }
  // A new writer finds delta 4 after the state's seq: delta 5 extends it, and (this writer
  // has not written the state yet, however soon after boot it started) both are applied at
  // once.
  StateMaterializer restarted(*f.store, always_under_load(clock));
  CHECK(run_batch(f, restarted, {delta_message(5, 4, s4, s5)})[0] == StateEffect::kApplied);
  CHECK(f.state().seq == 5);
  CHECK_FALSE(f.state().stale);
  CHECK(MessageDifferencer::Equals(f.state_snapshot(), s5));
}

TEST_CASE("the ingest writer applies deferred deltas on its own once idle") {
  // The writer's own clock: its idle pass must not wait for the interval. Declared first, so
  // it outlives the writer.
  UptimeClock clock;
  Fixture f;
  IngestOptions options;
  options.states = always_under_load(clock);
  f.writer = std::make_unique<IngestWriter>(*f.store, options);
  std::promise<std::string> told;
  f.writer->set_state_listener([&told](const std::string& id) { told.set_value(id); });
  auto s1 = machine(1000, 30, 50, true);
  auto s2 = machine(2000, 35, 51, false);
  CHECK(f.ingest(snapshot_message(1, s1)).state == StateEffect::kApplied);
  CHECK(f.ingest(delta_message(2, 1, s1, s2)).state == StateEffect::kDeferred);
  // No more reports: within a second or so the writer applies it and says so.
  auto id = told.get_future();
  REQUIRE(id.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  CHECK(id.get() == kDevice);
  CHECK(f.state().seq == 2);
  CHECK(MessageDifferencer::Equals(f.state_snapshot(), s2));
}

TEST_CASE("under load a pass applies a device once its interval has passed, and again later") {
  UptimeClock clock;
  Fixture f;
  StateMaterializer m(*f.store, under_load_every_20ms(clock));
  auto s1 = machine(1000, 30, 50, true);
  auto s2 = machine(2000, 35, 51, false);
  auto s3 = machine(3000, 60, 52, true);
  auto s4 = machine(4000, 70, 53, true);
  auto pass = [&] {
    std::vector<std::string> applied;
    auto flushed = m.flush_deferred(100, /*idle=*/false, applied);
    REQUIRE(flushed);
    REQUIRE(f.store->write([&](WriteTx& tx) { return tx.reports().store_ingest(*flushed); }));
    m.committed();
    return applied;
  };
  auto past_interval = [&] { clock.advance(std::chrono::milliseconds(30)); };
  run_batch(f, m, {snapshot_message(1, s1)});
  CHECK(run_batch(f, m, {delta_message(2, 1, s1, s2)})[0] == StateEffect::kDeferred);
  // Its state was written just now: not due yet.
  CHECK(pass().empty());
  CHECK(f.state().seq == 1);
  past_interval();
  CHECK(pass() == std::vector<std::string>{kDevice});
  CHECK(f.state().seq == 2);
  // Written again by that pass: the next delta waits for the next interval.
  CHECK(run_batch(f, m, {delta_message(3, 2, s2, s3)})[0] == StateEffect::kDeferred);
  CHECK(pass().empty());
  past_interval();
  // A pass whose batch is not committed leaves the device due.
  {
    std::vector<std::string> applied;
    REQUIRE(m.flush_deferred(100, /*idle=*/false, applied));
    CHECK(applied == std::vector<std::string>{kDevice});
    m.discard();
  }
  CHECK(f.state().seq == 2);
  CHECK(pass() == std::vector<std::string>{kDevice});
  CHECK(f.state().seq == 3);
  CHECK(MessageDifferencer::Equals(f.state_snapshot(), s3));
  CHECK(m.deferred_devices() == 0);
  // Past its interval a delta is applied at once: nothing is left for a pass.
  past_interval();
  CHECK(run_batch(f, m, {delta_message(4, 3, s3, s4)})[0] == StateEffect::kApplied);
  CHECK(pass().empty());
  CHECK(f.state().seq == 4);
}

TEST_CASE("a device queued twice for a pass is applied once") {
  UptimeClock clock;
  Fixture f;
  StateMaterializer m(*f.store, under_load_every_20ms(clock));
  auto s1 = machine(1000, 30, 50, true);
  auto s2 = machine(2000, 35, 51, false);
  auto s3 = machine(3000, 60, 52, true);
  auto pass = [&](bool idle) {
    std::vector<std::string> applied;
    auto flushed = m.flush_deferred(100, idle, applied);
    REQUIRE(flushed);
    REQUIRE(f.store->write([&](WriteTx& tx) { return tx.reports().store_ingest(*flushed); }));
    m.committed();
    return applied;
  };
  run_batch(f, m, {snapshot_message(1, s1)});
  // Queued at its first deferred delta, then applied by an idle pass (its entry stays)...
  CHECK(run_batch(f, m, {delta_message(2, 1, s1, s2)})[0] == StateEffect::kDeferred);
  CHECK(pass(/*idle=*/true) == std::vector<std::string>{kDevice});
  // ...and queued again at the next one: two entries, both due after the interval.
  CHECK(run_batch(f, m, {delta_message(3, 2, s2, s3)})[0] == StateEffect::kDeferred);
  clock.advance(std::chrono::milliseconds(30));
  CHECK(pass(/*idle=*/false) == std::vector<std::string>{kDevice});
  CHECK(f.state().seq == 3);
  CHECK(MessageDifferencer::Equals(f.state_snapshot(), s3));
  CHECK(pass(/*idle=*/false).empty());
}
