// Fleet findings follow device states: every device whose state changed gets its findings
// re-evaluated and stored, also when more devices change at once than one refresh batch holds,
// on a real SQLite file. Polled with a deadline, never timed.
#include <catch2/catch.hpp>

#include <thread>

#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/tickets/enrichment_service.hpp"
#include "tests/collector/findings/snapshot_builders.hpp"
#include "tests/support/recorded_agent_channel.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

void enroll_with_state(Store& store, const std::string& id, const v1::Snapshot& snapshot,
                       TimePoint now) {
  Device d;
  d.id = id;
  d.hostname = "pc-" + id;
  d.certificate_sha256 = std::string(64, 'a');
  d.enrolled_at = now;
  REQUIRE(store.write([&](WriteTx& tx) { return tx.devices().enroll_device("h", d, now); }));
  IngestBatch batch;
  batch.reports = {StoredReport{id, 1, "snapshot", now, "payload"}};
  batch.states = {DeviceState{id, 1, 1, now, false, 0, snapshot.SerializeAsString()}};
  REQUIRE(store.write([&](WriteTx& tx) { return tx.reports().store_ingest(batch); }));
}

bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

}  // namespace

TEST_CASE("every changed device gets its fleet findings, beyond one refresh batch") {
  triage::testing::TempDir dir;
  auto opened = SqliteStore::open((dir.path() / "c.db").string());
  REQUIRE(opened);
  auto& store = **opened;
  const auto now = std::chrono::system_clock::now();
  EnrollmentToken token{"t", "h", now, now + 1h, 1000, 0, "", std::nullopt};
  REQUIRE(store.write([&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token); }));
  auto full_disk = collector::testing::empty_snapshot();
  collector::testing::add_filesystem(full_disk, "/", 95.0);
  auto healthy = collector::testing::empty_snapshot();
  collector::testing::add_filesystem(healthy, "/", 40.0);
  constexpr int kDevices = 25;
  for (int i = 0; i < kDevices; ++i) {
    enroll_with_state(store, "d" + std::to_string(i), i % 5 == 0 ? healthy : full_disk, now);
  }

  triage::testing::RecordedAgentChannel agents;
  EnrichmentSettings settings;
  settings.fleet_refresh_batch = 4;  // 25 devices: seven batches
  EnrichmentService enrichment(store, agents, settings);
  for (int i = 0; i < kDevices; ++i) enrichment.state_changed("d" + std::to_string(i));

  const auto findings_of = [&](int i) {
    auto f = store.read().problems().device_findings("d" + std::to_string(i));
    REQUIRE(f);
    return *f;
  };
  REQUIRE(eventually([&] { return !findings_of(kDevices - 1).empty(); }));
  enrichment.stop();
  for (int i = 0; i < kDevices; ++i) {
    INFO("device d" << i);
    const auto found = findings_of(i);
    if (i % 5 == 0) {
      CHECK(found.empty());
    } else {
      REQUIRE(found.size() == 1);
      CHECK(found[0].rule_id == "disk.full");
      CHECK(found[0].subject == "/");
    }
  }
}
