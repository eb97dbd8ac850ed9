// Snapshots in a child process: the same snapshot as in-process, and a child that crashes,
// hangs, floods or writes garbage costs one snapshot, reported, while the worker carries on.
#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "agent/collectors/snapshot_taker.hpp"
#include "agent/service/snapshot_process.hpp"
#include "agent/service/snapshot_worker.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage::agent;
using namespace std::chrono_literals;
namespace v1 = triage::v1;
using google::protobuf::util::MessageDifferencer;

namespace {

SnapshotProcessOptions fake(std::vector<std::string> mode) {
  SnapshotProcessOptions p;
  p.executable = FAKE_SNAPSHOT_HELPER;
  p.leading_args = std::move(mode);
  p.timeout = 20s;
  return p;
}

std::string failure_of(const v1::Snapshot& s) {
  REQUIRE(is_failed_snapshot(s));
  CHECK(s.collectors(0).outcome() == v1::CollectorStatus::FAILED);
  CHECK(s.schema_version() == kSnapshotSchemaVersion);
  return s.collectors(0).message();
}

/// The snapshot without what differs between two runs of the same collectors: their cost.
v1::Snapshot without_costs(v1::Snapshot s) {
  for (auto& c : *s.mutable_collectors()) {
    c.clear_cpu_ms();
    c.clear_wall_ms();
    c.clear_peak_heap_bytes();
  }
  return s;
}

/// Runs `ioc` until the worker's callback delivered a snapshot (or 60 s passed).
v1::Snapshot take_with(SnapshotWorker& worker, boost::asio::io_context& ioc) {
  std::optional<v1::Snapshot> got;
  worker.take([&](const v1::Snapshot& s) { got = s; });
  ioc.restart();
  auto guard = boost::asio::make_work_guard(ioc);
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!got && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(100ms);
  REQUIRE(got);
  return *got;
}

}  // namespace

TEST_CASE("snapshot options survive the helper's command line", "[snapshot_process]") {
  SnapshotOptions o;
  o.sysroot = "/srv/machine";
  o.only_categories = {"system", "network"};
  o.disabled_categories = {"software"};
  o.probes_enabled = false;
  o.probe_dns_name = "example.org";
  o.probe_collector_host = "collector.example.org";
  o.probe_collector_port = 8443;
  o.process_sample_ms = 150;
  o.cooling_until_unix_ms = {{"dpkg", 1'700'000'000'000}, {"journal", 42}};
  auto parsed = parse_snapshot_helper_args(snapshot_helper_args(o));
  REQUIRE(parsed);
  CHECK(parsed->sysroot == o.sysroot);
  CHECK(parsed->only_categories == o.only_categories);
  CHECK(parsed->disabled_categories == o.disabled_categories);
  CHECK_FALSE(parsed->probes_enabled);
  CHECK(parsed->probe_dns_name == o.probe_dns_name);
  CHECK(parsed->probe_collector_host == o.probe_collector_host);
  CHECK(parsed->probe_collector_port == 8443);
  CHECK(parsed->process_sample_ms == 150);
  CHECK(parsed->cooling_until_unix_ms == o.cooling_until_unix_ms);

  CHECK_FALSE(parse_snapshot_helper_args({"--sysroot"}));
  CHECK_FALSE(parse_snapshot_helper_args({"--bogus", "1"}));
  CHECK_FALSE(parse_snapshot_helper_args({"--cooling", "dpkg", "soon"}));
  CHECK_FALSE(parse_snapshot_helper_args({"--probe-collector", "host", "70000"}));
}

TEST_CASE("the snapshot process returns the snapshot taken in-process", "[snapshot_process]") {
  SnapshotOptions options;
  options.sysroot = std::string(TRIAGE_FIXTURES_DIR) + "/sysroot/desktop";
  SnapshotProcessOptions process;
  process.executable = triage::testing::binary("triage-agent");
  auto child = take_snapshot_in_child(options, process);
  REQUIRE_FALSE(is_failed_snapshot(child));
  auto local = SnapshotTaker(options).take();
  REQUIRE(local.collectors_size() > 10);
  std::string report;
  MessageDifferencer d;
  d.ReportDifferencesToString(&report);
  const bool same = d.Compare(without_costs(child), without_costs(local));
  INFO(report);  // filled by Compare
  CHECK(same);
}

TEST_CASE("a snapshot process that fails costs that snapshot only, with the reason",
          "[snapshot_process]") {
  SnapshotOptions options;
  CHECK_THAT(failure_of(take_snapshot_in_child(options, fake({"crash"}))),
             Catch::Contains("killed by signal 11"));
  CHECK_THAT(failure_of(take_snapshot_in_child(options, fake({"exit3"}))),
             Catch::Contains("exit 3"));
  CHECK_THAT(failure_of(take_snapshot_in_child(options, fake({"garbage"}))),
             Catch::Contains("not a snapshot"));
  auto flood = fake({"flood"});
  flood.max_bytes = 1024 * 1024;
  CHECK_THAT(failure_of(take_snapshot_in_child(options, flood)),
             Catch::Contains("more than 1048576 bytes"));
  auto hang = fake({"hang"});
  hang.timeout = 300ms;
  CHECK_THAT(failure_of(take_snapshot_in_child(options, hang)), Catch::Contains("timed out"));
  SnapshotProcessOptions missing;
  missing.executable = "/nonexistent/triage-agent";
  CHECK_THAT(failure_of(take_snapshot_in_child(options, missing)), Catch::Contains("cannot start"));
}

TEST_CASE("after a crashed snapshot process the worker carries on, cool-downs kept",
          "[snapshot_process]") {
  triage::testing::TempDir dir;
  boost::asio::io_context ioc;
  SnapshotWorker worker(ioc, SnapshotOptions{},
                        fake({"crash-once", (dir.path() / "state").string()}));
  // First: the child crashes; the callers get the reason.
  auto crashed = take_with(worker, ioc);
  CHECK_THAT(failure_of(crashed), Catch::Contains("killed by signal"));
  // Next: a snapshot, in which dpkg went over budget...
  auto second = take_with(worker, ioc);
  REQUIRE_FALSE(is_failed_snapshot(second));
  CHECK(second.system().hostname() == "cooling:");
  REQUIRE(second.collectors_size() == 1);
  CHECK(second.collectors(0).outcome() == v1::CollectorStatus::OVER_BUDGET);
  // ... with the daemon's retry time: a 15 min cool-down.
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  CHECK(second.collectors(0).retry_after_unix_ms() > now_ms + 14 * 60 * 1000);
  // ... so the next snapshot process is told to keep dpkg off.
  auto third = take_with(worker, ioc);
  CHECK_THAT(third.system().hostname(), Catch::StartsWith("cooling: dpkg"));
}
