// Settling volatile values: what a delta leaves out, what it still reports, and that a settled
// snapshot still rebuilds exactly from the reported one.
#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>

#include "agent/collectors/settle.hpp"
#include "shared/protocol/delta.hpp"
#include "tests/agent/collectors/fixture_support.hpp"

using namespace triage::agent;
using namespace triage::protocol;
namespace v1 = triage::v1;
using google::protobuf::util::MessageDifferencer;

namespace {

constexpr std::uint64_t kGiB = 1024ull * 1024 * 1024;

v1::Snapshot with_memory(std::uint64_t total, std::uint64_t available) {
  v1::Snapshot s;
  auto* m = s.mutable_hardware()->mutable_memory();
  m->set_total_bytes(total);
  m->set_available_bytes(available);
  m->set_free_bytes(available / 2);
  m->set_used_percent(100.0f * float(total - available) / float(total));
  return s;
}

v1::Process process(std::uint32_t pid, float cpu, std::uint64_t rss, const char* state = "S") {
  v1::Process p;
  p.set_pid(pid);
  p.set_name("proc" + std::to_string(pid));
  p.set_cpu_percent(cpu);
  p.set_cpu_time_ms(1000 * pid);
  p.set_rss_bytes(rss);
  p.set_memory_percent(float(rss) / float(16 * kGiB) * 100.0f);
  p.set_state(state);
  return p;
}

v1::Snapshot with_processes(std::initializer_list<v1::Process> list) {
  v1::Snapshot s;
  for (const auto& p : list) *s.mutable_software()->add_top_processes() = p;
  return s;
}

std::vector<std::uint32_t> pids(const v1::Snapshot& s) {
  std::vector<std::uint32_t> out;
  for (const auto& p : s.software().top_processes()) out.push_back(p.pid());
  return out;
}

v1::Snapshot settled(const v1::Snapshot& reported, v1::Snapshot fresh) {
  settle_volatile(reported, fresh);
  // Whatever was settled, the delta still rebuilds it exactly.
  auto rebuilt = apply_delta(reported, diff_snapshots(reported, fresh));
  REQUIRE(rebuilt);
  CHECK(MessageDifferencer::Equals(*rebuilt, fresh));
  return fresh;
}

}  // namespace

TEST_CASE("memory in use is reported again only after it moved 2 points", "[settle]") {
  auto reported = with_memory(16 * kGiB, 8 * kGiB);  // 50 % used
  // 1 point more used: the reported values stay.
  auto small = settled(reported, with_memory(16 * kGiB, 8 * kGiB - 160 * 1024 * 1024));
  CHECK(small.hardware().memory().available_bytes() == 8 * kGiB);
  CHECK(delta_is_empty(diff_snapshots(reported, small)));
  // 3 points: the fresh, exact values.
  auto big = settled(reported, with_memory(16 * kGiB, 8 * kGiB - 500 * 1024 * 1024));
  CHECK(big.hardware().memory().available_bytes() == 8 * kGiB - 500 * 1024 * 1024);
  // Nearly out of memory, a small move in points is a large share of what is left: reported.
  auto low = with_memory(16 * kGiB, 400 * 1024 * 1024);
  auto lower = settled(low, with_memory(16 * kGiB, 300 * 1024 * 1024));
  CHECK(lower.hardware().memory().available_bytes() == 300 * 1024 * 1024);
  // Different hardware (total changed) is never settled.
  auto resized = settled(reported, with_memory(32 * kGiB, 24 * kGiB + 1));
  CHECK(resized.hardware().memory().total_bytes() == 32 * kGiB);
}

TEST_CASE("filesystem usage moves by a point or by a tenth of the free space", "[settle]") {
  auto fs = [](double used_percent, std::uint64_t size) {
    v1::Snapshot s;
    auto* f = s.mutable_hardware()->add_filesystems();
    f->set_mount_point("/");
    f->set_size_bytes(size);
    auto used = static_cast<std::uint64_t>(double(size) * used_percent / 100.0);
    f->set_used_bytes(used);
    f->set_free_bytes(size - used);
    f->set_used_percent(float(used_percent));
    return s;
  };
  const std::uint64_t size = 1000 * kGiB;
  auto reported = fs(50.0, size);
  CHECK(settled(reported, fs(50.6, size)).hardware().filesystems(0).used_percent() == 50.0f);
  CHECK(settled(reported, fs(51.2, size)).hardware().filesystems(0).used_percent() == 51.2f);
  // 99 % -> 99.5 %: half a point, but half of the free space is gone.
  auto full = fs(99.0, size);
  CHECK(settled(full, fs(99.5, size)).hardware().filesystems(0).used_percent() == 99.5f);
}

TEST_CASE("idle processes entering are left out, ended ones leave", "[settle]") {
  auto reported = with_processes(
      {process(10, 40.0f, kGiB), process(11, 0.5f, 100 << 20), process(12, 0.0f, 90 << 20)});
  // 11 ended, 13 (idle) entered, 10 is a little busier and its CPU time grew.
  auto p10 = process(10, 45.0f, kGiB, "R");
  p10.set_cpu_time_ms(999999);
  auto fresh = with_processes({p10, process(13, 0.3f, 80 << 20), process(12, 0.0f, 90 << 20)});
  auto out = settled(reported, fresh);
  CHECK(pids(out) == std::vector<std::uint32_t>{10, 12});
  CHECK(out.software().top_processes(0).cpu_percent() == 40.0f);
  CHECK(out.software().top_processes(0).cpu_time_ms() == 10000);
  CHECK(out.software().top_processes(0).state() == "S");
  auto delta = diff_snapshots(reported, out);
  REQUIRE(delta.changes_size() == 1);
  CHECK(delta.changes(0).kind() == v1::Change::REMOVED);
}

TEST_CASE("a busy process of a new program enters the top list", "[settle]") {
  auto reported = with_processes({process(10, 40.0f, kGiB), process(11, 0.5f, 100 << 20)});
  auto fresh = with_processes({process(20, 95.0f, 200 << 20), process(10, 41.0f, kGiB)});
  auto out = settled(reported, fresh);
  CHECK(pids(out) == std::vector<std::uint32_t>{10, 20});
  // The process already reported keeps its settled gauges.
  CHECK(out.software().top_processes(0).cpu_percent() == 40.0f);
}

TEST_CASE("busy processes replaced by others of the same program keep the reported list",
          "[settle]") {
  auto cc = [](std::uint32_t pid, float cpu) {
    auto p = process(pid, cpu, 300 << 20, "R");
    p.set_name("cc1plus");
    return p;
  };
  auto reported = with_processes({cc(100, 99.0f), cc(101, 98.0f), process(10, 1.0f, kGiB)});
  auto out = settled(reported, with_processes({cc(200, 99.5f), cc(201, 97.0f), cc(202, 90.0f),
                                               process(10, 1.5f, kGiB)}));
  CHECK(pids(out) == std::vector<std::uint32_t>{100, 101, 10});
  CHECK(delta_is_empty(diff_snapshots(reported, out)));
  // A busy program that was not in the list is news.
  auto news = settled(reported, with_processes({cc(200, 99.5f), process(30, 60.0f, 1 << 20),
                                                process(10, 1.0f, kGiB)}));
  CHECK(pids(news) == std::vector<std::uint32_t>{100, 101, 10, 30});
  // So is a program leaving it.
  auto gone = settled(reported, with_processes({process(10, 1.0f, kGiB)}));
  CHECK(pids(gone) == std::vector<std::uint32_t>{10});
}

TEST_CASE("a process's material changes are reported", "[settle]") {
  auto reported = with_processes({process(10, 5.0f, kGiB)});
  auto out = settled(reported, with_processes({process(10, 80.0f, 2 * kGiB, "D")}));
  const auto& p = out.software().top_processes(0);
  CHECK(p.cpu_percent() == 80.0f);
  CHECK(p.rss_bytes() == 2 * kGiB);
  CHECK(p.state() == "D");
  // CPU time alone never is.
  CHECK(p.cpu_time_ms() == 10000);
}

TEST_CASE("load, pressure and probe latency settle within their thresholds", "[settle]") {
  auto make = [](double load1, float avg10, std::uint64_t total_us, double latency) {
    v1::Snapshot s;
    auto* load = s.mutable_health()->mutable_load();
    load->set_load1(load1);
    load->set_load5(1.0);
    load->set_load15(1.0);
    load->set_cpu_count(4);
    auto* cpu = s.mutable_health()->mutable_pressure()->mutable_cpu_some();
    cpu->set_avg10(avg10);
    cpu->set_total_us(total_us);
    auto* probe = s.mutable_network()->add_probes();
    probe->set_kind(v1::Probe::GATEWAY);
    probe->set_target("192.168.1.1");
    probe->set_result(v1::Probe::OK);
    probe->set_latency_ms(latency);
    return s;
  };
  auto reported = make(1.0, 3.0f, 1000, 2.0);
  auto quiet = settled(reported, make(1.3, 4.0f, 5000, 9.0));
  CHECK(quiet.health().load().load1() == 1.0);
  CHECK(quiet.health().pressure().cpu_some().total_us() == 1000);
  CHECK(quiet.network().probes(0).latency_ms() == 2.0);
  INFO(diff_snapshots(reported, quiet).DebugString());
  CHECK(delta_is_empty(diff_snapshots(reported, quiet)));

  auto busy = settled(reported, make(3.0, 25.0f, 9000, 300.0));
  CHECK(busy.health().load().load1() == 3.0);
  CHECK(busy.health().pressure().cpu_some().avg10() == 25.0f);
  CHECK(busy.health().pressure().cpu_some().total_us() == 9000);
  CHECK(busy.network().probes(0).latency_ms() == 300.0);
}

TEST_CASE("collector timings travel only with a changed outcome", "[settle]") {
  auto status = [](v1::CollectorStatus::Outcome outcome, std::uint32_t cpu_ms) {
    v1::Snapshot s;
    auto* c = s.add_collectors();
    c->set_name("dpkg");
    c->set_category("software");
    c->set_outcome(outcome);
    c->set_cpu_ms(cpu_ms);
    return s;
  };
  auto reported = status(v1::CollectorStatus::OK, 5);
  auto same = settled(reported, status(v1::CollectorStatus::OK, 9));
  CHECK(same.collectors(0).cpu_ms() == 5);
  // Unchanged statuses are left out of the delta altogether.
  CHECK(diff_snapshots(reported, same).collectors_size() == 0);
  auto failed = settled(reported, status(v1::CollectorStatus::FAILED, 9));
  CHECK(failed.collectors(0).cpu_ms() == 9);
  CHECK(diff_snapshots(reported, failed).collectors_size() == 1);
}

TEST_CASE("settling two snapshots of a fixture machine leaves only what changed", "[settle]") {
  auto reported = testing::fixture_snapshot("desktop");
  auto fresh = reported;
  fresh.set_collected_at_unix_ms(reported.collected_at_unix_ms() + 60000);
  for (auto& c : *fresh.mutable_collectors()) c.set_wall_ms(c.wall_ms() + 7);
  fresh.mutable_system()->set_hostname("renamed");
  auto out = settled(reported, fresh);
  auto delta = diff_snapshots(reported, out);
  REQUIRE(delta.changes_size() == 1);
  CHECK(describe_path(delta.changes(0)) == "system");
  CHECK(delta.collectors_size() == 0);
}
