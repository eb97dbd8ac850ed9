#include <algorithm>
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "collector/ingest/ingest_writer.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;

namespace {

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store =
      std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  Fixture() {
    auto now = std::chrono::system_clock::now();
    EnrollmentToken t{"t", "h", now, now + std::chrono::hours(1), 100, 0, "", std::nullopt};
    REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().insert_enrollment_token(t); }));
    for (const char* id : {"d1", "d2", "d3", "d4"}) {
      Device d;
      d.id = id;
      d.certificate_sha256 = "x";
      d.enrolled_at = now;
      REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().enroll_device("h", d, now); }));
    }
  }
};

StoredReport report(const std::string& device, std::uint64_t seq, std::size_t bytes = 10) {
  return StoredReport{device, seq, "delta", std::chrono::system_clock::now(),
                      std::string(bytes, 'p')};
}

}  // namespace

TEST_CASE("every submitted report is committed before its completion runs") {
  Fixture f;
  CollectorMetrics metrics;
  std::atomic<int> stored{0}, duplicates{0}, errors{0};
  {
    IngestWriter writer(*f.store, IngestOptions{}, &metrics);
    std::vector<std::thread> producers;
    for (const char* device : {"d1", "d2", "d3", "d4"}) {
      producers.emplace_back([&, device] {
        for (std::uint64_t seq = 1; seq <= 500; ++seq) {
          writer.submit(report(device, seq), [&, device, seq](const Result<IngestOutcome>& r) {
            if (!r) return ++errors, void();
            // Committed means readable by anyone from now on.
            (r->stored ? stored : duplicates)++;
          });
        }
        // Resent after a reconnect: acknowledged again as duplicates, stored once.
        for (std::uint64_t seq = 1; seq <= 50; ++seq) {
          writer.submit(report(device, seq), [&](const Result<IngestOutcome>& r) {
            if (r && !r->stored) ++duplicates;
          });
        }
      });
    }
    for (auto& p : producers) p.join();
    writer.stop();
  }
  CHECK(errors == 0);
  CHECK(stored == 2000);
  CHECK(duplicates == 200);
  for (const char* device : {"d1", "d2", "d3", "d4"}) {
    CHECK(f.store->read().reports().last_report_seq(device).value() == 500);
  }
  CHECK_THAT(metrics.render(), Catch::Contains("triage_reports_total{outcome=\"stored\"} 2000"));
}

TEST_CASE("past its high-water mark the writer asks for back-pressure and wakes waiters") {
  Fixture f;
  IngestOptions options;
  options.high_water_bytes = 1000;
  options.low_water_bytes = 500;
  IngestWriter writer(*f.store, options);
  bool saw_pressure = false;
  std::atomic<int> done{0};
  for (std::uint64_t seq = 1; seq <= 200; ++seq) {
    bool room =
        writer.submit(report("d1", seq, 400), [&](const Result<IngestOutcome>&) { ++done; });
    saw_pressure = saw_pressure || !room;
  }
  std::atomic<bool> woken{false};
  writer.wait_for_room([&] { woken = true; });
  writer.stop();
  CHECK(done == 200);
  CHECK(woken);
  // With 200 reports of 400 bytes arriving faster than one commit, pressure must show.
  CHECK(saw_pressure);
}

TEST_CASE("reports submitted after stop are refused, not silently dropped") {
  Fixture f;
  IngestWriter writer(*f.store, IngestOptions{});
  writer.stop();
  bool refused = false;
  writer.submit(report("d1", 1), [&](const Result<IngestOutcome>& r) { refused = !r; });
  CHECK(refused);
  CHECK(f.store->read().reports().last_report_seq("d1").value() == 0);
}

TEST_CASE("posted device writes run on the writer thread in order, and at once after stop") {
  Fixture f;
  std::vector<int> order;
  std::thread::id ran_on;
  {
    IngestWriter writer(*f.store, IngestOptions{});
    for (int i = 0; i < 100; ++i) {
      writer.post([&, i] {
        order.push_back(i);
        ran_on = std::this_thread::get_id();
      });
    }
    writer.stop();
    CHECK(order.size() == 100);
    CHECK(std::is_sorted(order.begin(), order.end()));
    CHECK(ran_on != std::this_thread::get_id());
    // A session closing during shutdown still gets its write done.
    writer.post([&] { order.push_back(100); });
    CHECK(order.size() == 101);
  }
}
