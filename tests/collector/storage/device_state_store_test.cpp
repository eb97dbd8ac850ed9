// Device state, metric points, owner and tags, retention and schema upgrades on a real
// SQLite file.
#include <catch2/catch.hpp>

#include "collector/storage/sqlite/schema.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<SqliteStore> open_store(const testing::TempDir& dir) {
  auto store = SqliteStore::open((dir.path() / "c.db").string());
  REQUIRE(store);
  return std::move(*store);
}

void enroll(Store& store, const std::vector<std::string>& ids, TimePoint now) {
  EnrollmentToken t{"t", "h", now, now + 1h, 100, 0, "", std::nullopt};
  REQUIRE(store.write([&](WriteTx& tx) { return tx.devices().insert_enrollment_token(t); }));
  for (const auto& id : ids) {
    Device d;
    d.id = id;
    d.hostname = "pc-" + id;
    d.certificate_sha256 = std::string(64, 'a');
    d.enrolled_at = now;
    REQUIRE(store.write([&](WriteTx& tx) { return tx.devices().enroll_device("h", d, now); }));
  }
}

StoredReport report(const std::string& device, std::uint64_t seq, const std::string& kind,
                    TimePoint at) {
  return StoredReport{device, seq, kind, at, "payload-" + std::to_string(seq)};
}

std::vector<std::uint64_t> stored_seqs(Store& store, const std::string& device,
                                       std::uint64_t up_to) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t seq = 1; seq <= up_to; ++seq) {
    auto r = store.read().reports().find_report(device, seq);
    REQUIRE(r);
    if (*r) out.push_back(seq);
  }
  return out;
}

}  // namespace

TEST_CASE("a device state and its metric points commit with the reports") {
  testing::TempDir dir;
  auto store = open_store(dir);
  const auto now = std::chrono::system_clock::now();
  enroll(*store, {"d1"}, now);
  IngestBatch batch;
  batch.reports = {report("d1", 1, "snapshot", now)};
  batch.states = {DeviceState{"d1", 1, 1, now, false, 0, "snapshot-bytes"}};
  batch.points = {MetricPoint{"d1", "memory.used_pct", now, 42.5},
                  MetricPoint{"d1", "memory.used_pct", now - 1h, 40}};
  REQUIRE(store->write([&](WriteTx& tx) { return tx.reports().store_ingest(batch); }));

  auto state = store->read().reports().device_state("d1", true);
  REQUIRE(state);
  REQUIRE(state->has_value());
  CHECK((*state)->snapshot == "snapshot-bytes");
  CHECK((*state)->seq == 1);
  // Without the snapshot: the cheap head read.
  CHECK(store->read().reports().device_state("d1", false).value()->snapshot.empty());

  // A gap marks the stored state stale and keeps its snapshot.
  IngestBatch gap;
  gap.reports = {report("d1", 3, "delta", now)};
  gap.stale_marks = {StaleMark{"d1", 3}};
  REQUIRE(store->write([&](WriteTx& tx) { return tx.reports().store_ingest(gap); }));
  auto stale = store->read().reports().device_state("d1", true).value();
  CHECK(stale->stale);
  CHECK(stale->gap_seq == 3);
  CHECK(stale->seq == 1);
  CHECK(stale->snapshot == "snapshot-bytes");

  auto points = store->read().reports().metric_points("d1", "memory.used_pct", now - 2h, now, 10);
  REQUIRE(points);
  REQUIRE(points->size() == 2);
  CHECK(points->front().value == Approx(40));  // oldest first
  CHECK(store->read().reports().metric_points("d1", "memory.used_pct", now - 2h, now, 1)->size() ==
        1);
  CHECK(store->read().reports().metric_points("d1", "swap.used_pct", now - 2h, now, 10)->empty());
}

TEST_CASE("owner and tags are stored, replaced and listed") {
  testing::TempDir dir;
  auto store = open_store(dir);
  const auto now = std::chrono::system_clock::now();
  enroll(*store, {"d1", "d2"}, now);
  DeviceUpdate update;
  update.owner = "ana@example.com";
  update.tags = std::vector<std::string>{"site:paris", "finance"};
  auto updated =
      store->write([&](WriteTx& tx) { return tx.devices().update_device("d1", update); });
  REQUIRE(updated);
  CHECK(updated->owner == "ana@example.com");
  CHECK(updated->tags == std::vector<std::string>{"finance", "site:paris"});

  // Only tags: the owner stays; the tag set is replaced, not merged.
  DeviceUpdate tags_only;
  tags_only.tags = std::vector<std::string>{"laptop"};
  REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().update_device("d1", tags_only); }));
  auto d1 = store->read().devices().find_device("d1").value().value();
  CHECK(d1.owner == "ana@example.com");
  CHECK(d1.tags == std::vector<std::string>{"laptop"});
  auto all = store->read().devices().list_devices().value();
  REQUIRE(all.size() == 2);
  CHECK(all[1].tags.empty());

  auto missing =
      store->write([&](WriteTx& tx) { return tx.devices().update_device("nope", update); });
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("retention deletes old deltas but keeps what rebuilds the newest state or is cited") {
  testing::TempDir dir;
  auto store = open_store(dir);
  const auto now = std::chrono::system_clock::now();
  const auto old = now - 100 * 24h;
  enroll(*store, {"d1", "d2"}, now);
  // d1: snapshot 1, deltas 2-3, snapshot 4, delta 5 (all old), delta 6 (recent).
  // d2: snapshot 1 and deltas 2-3, all old, with no newer snapshot.
  IngestBatch batch;
  batch.reports = {report("d1", 1, "snapshot", old), report("d1", 2, "delta", old),
                   report("d1", 3, "delta", old),    report("d1", 4, "snapshot", old),
                   report("d1", 5, "delta", old),    report("d1", 6, "delta", now),
                   report("d2", 1, "snapshot", old), report("d2", 2, "delta", old),
                   report("d2", 3, "delta", old)};
  batch.points = {MetricPoint{"d1", "cpu.load1", old, 1}, MetricPoint{"d1", "cpu.load1", now, 2}};
  REQUIRE(store->write([&](WriteTx& tx) { return tx.reports().store_ingest(batch); }));

  // A ticket's enrichment cites d1's delta 3.
  Ticket ticket;
  ticket.title = "slow";
  ticket.source = "staff";
  ticket.created_at = ticket.updated_at = ticket.response_due_at = ticket.due_at = now;
  REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(ticket, {}); }));
  Enrichment e;
  e.ticket_id = ticket.id;
  e.device_id = "d1";
  e.purpose = "creation";
  e.source = "stored";
  e.report_seq = 3;
  e.created_at = now;
  TicketEvent event;
  event.ticket_id = ticket.id;
  event.at = now;
  event.actor = "system";
  event.kind = "diagnostics";
  REQUIRE(store->write(
      [&](WriteTx& tx) { return tx.tickets().insert_enrichment(e, std::nullopt, event); }));

  RetentionCutoffs cutoffs;
  cutoffs.deltas_before = now - 90 * 24h;
  cutoffs.points_before = now - 30 * 24h;
  cutoffs.chunk = 1;  // exercises the chunked loop
  auto result = store->write([&](WriteTx& tx) { return tx.reports().apply_retention(cutoffs); });
  REQUIRE(result);
  CHECK(result->deltas_deleted == 1);
  CHECK(result->points_deleted == 1);
  CHECK(stored_seqs(*store, "d1", 6) == std::vector<std::uint64_t>{1, 3, 4, 5, 6});
  // Without a newer snapshot, d2's deltas are the chain to its newest state: all kept.
  CHECK(stored_seqs(*store, "d2", 3) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(store->read().reports().metric_points("d1", "cpu.load1", old - 1h, now, 10)->size() == 1);

  // A second pass finds nothing more.
  auto again = store->write([&](WriteTx& tx) { return tx.reports().apply_retention(cutoffs); });
  REQUIRE(again);
  CHECK(again->deltas_deleted == 0);
}

TEST_CASE("every earlier schema version migrates to the current one with its data") {
  const auto latest = schema::kMigrations.size();
  for (std::size_t from = 1; from < latest; ++from) {
    DYNAMIC_SECTION("from version " << from) {
      testing::TempDir dir;
      const auto path = dir.path() / "c.db";
      {
        auto db = sqlite::Database::open(path);
        REQUIRE(db);
        for (std::size_t v = 0; v < from; ++v) REQUIRE((*db)->exec(schema::kMigrations[v]));
        REQUIRE((*db)->exec("PRAGMA user_version = " + std::to_string(from)));
        REQUIRE(
            (*db)->exec("INSERT INTO devices(id, hostname, certificate_sha256, enrolled_at) "
                        "VALUES ('d1', 'pc-1', 'x', 0);"
                        "INSERT INTO reports(device_id, seq, kind, received_at, payload) "
                        "VALUES ('d1', 1, 'snapshot', 0, x'00');"));
      }
      auto store = open_store(dir);
      CHECK(store->schema_version() == static_cast<int>(latest));
      auto device = store->read().devices().find_device("d1").value();
      REQUIRE(device);
      CHECK(device->hostname == "pc-1");
      CHECK(device->owner.empty());
      CHECK(device->tags.empty());
      CHECK(store->read().reports().last_report_seq("d1").value() == 1);
      // No state yet: the agent is asked for a full snapshot at its next hello.
      CHECK_FALSE(store->read().reports().device_state("d1", false).value().has_value());
      // The newest tables are there to write to.
      LiveSession session;
      session.id = "ls-1";
      session.device_id = "d1";
      session.started_by = "alice";
      session.started_at = TimePoint(0s);
      session.ends_at = TimePoint(60s);
      REQUIRE(store->write([&](WriteTx& tx) { return tx.live().insert_live_session(session); }));
      CHECK(store->read().live().count_running_live_sessions(TimePoint(1s)).value() == 1);
    }
  }
}
