// Worst-case deltas against a device state with one long list: what applying them costs, and
// what one such report costs the ingest writer end to end (read the state from SQLite, parse
// it, apply, serialize, commit). Not a test: it prints numbers for docs/PERFORMANCE.md.
//
//   triage-bench-delta [--size N]... [--writer-size N] [--skip-writer]
//
// Shapes, each on a list of N packages: the whole list reversed (REORDERED), every other
// element removed (N/2 REMOVED), as many elements changed as a delta may carry (10,000
// CHANGED), N/2 elements added.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <future>
#include <string>
#include <tuple>
#include <vector>

#include "collector/ingest/ingest_writer.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/protocol/delta.hpp"
#include "triage/v1/envelope.pb.h"

namespace {

using namespace triage;
using Clock = std::chrono::steady_clock;

std::string name(int i) { return "package-" + std::to_string(i); }

v1::Package package(int i) {
  v1::Package p;
  p.set_name(name(i));
  p.set_arch("amd64");
  p.set_source(v1::Package::DPKG);
  p.set_version("1.0-" + std::to_string(i % 7));
  return p;
}

v1::Snapshot base(int n) {
  v1::Snapshot s;
  s.set_schema_version(1);
  s.mutable_system()->set_hostname("bench");
  for (int i = 0; i < n; ++i) *s.mutable_software()->add_packages() = package(i);
  return s;
}

v1::Change& change(v1::Delta& d, v1::Change::Kind kind) {
  auto* c = d.add_changes();
  c->set_kind(kind);
  c->add_path()->set_field(v1::Snapshot::kSoftwareFieldNumber);
  c->add_path()->set_field(v1::SoftwareInfo::kPackagesFieldNumber);
  return *c;
}

void key(v1::PathStep& step, int i) {
  step.set_has_key(true);
  step.add_key(name(i));
  step.add_key("amd64");
  step.add_key("DPKG");
}

struct Shape {
  const char* what;
  std::function<v1::Delta(int)> make;
};

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> all = {
      {"reverse order (1 REORDERED)",
       [](int n) {
         v1::Delta d;
         auto& c = change(d, v1::Change::REORDERED);
         for (int i = n - 1; i >= 0; --i) {
           auto* t = c.add_order();
           t->add_key(name(i));
           t->add_key("amd64");
           t->add_key("DPKG");
         }
         return d;
       }},
      {"remove every other (N/2 REMOVED)",
       [](int n) {
         v1::Delta d;
         for (int i = 0; i < n; i += 2) key(*change(d, v1::Change::REMOVED).mutable_path(1), i);
         return d;
       }},
      {"change min(N, 10000) elements (CHANGED)",
       [](int n) {
         v1::Delta d;
         for (int i = 0; i < std::min(n, 10'000); ++i) {
           auto& c = change(d, v1::Change::CHANGED);
           key(*c.mutable_path(1), i);
           c.add_fields("version");
           c.add_field_numbers(v1::Package::kVersionFieldNumber);
           v1::Package value;
           value.set_version("2.0");
           c.set_value(value.SerializeAsString());
         }
         return d;
       }},
      {"add N/2 new elements (N/2 ADDED)",
       [](int n) {
         v1::Delta d;
         for (int i = n; i < n + n / 2; ++i) {
           auto& c = change(d, v1::Change::ADDED);
           key(*c.mutable_path(1), i);
           c.set_value(package(i).SerializeAsString());
         }
         return d;
       }},
  };
  return all;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

/// CPU time of the whole process, in ms: on a busy machine closer to the cost than the wall
/// clock (the writer thread is the only one working while a report is timed).
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// apply_delta_in_place alone: the best of three runs.
void bench_apply(int n) {
  const auto snapshot = base(n);
  for (const auto& shape : shapes()) {
    const auto delta = shape.make(n);
    double best = 1e300, best_cpu = 1e300;
    std::string outcome;
    for (int run = 0; run < 3; ++run) {
      auto copy = snapshot;
      const auto start = Clock::now();
      const double cpu = cpu_ms();
      auto r = protocol::apply_delta_in_place(copy, delta);
      best_cpu = std::min(best_cpu, cpu_ms() - cpu);
      best = std::min(best, ms_since(start));
      outcome = r ? "applied" : "refused: " + r.error().message.substr(0, 50);
    }
    std::printf("apply   N=%-7d %-36s %8.1f ms (cpu %8.1f ms)  %s\n", n, shape.what, best, best_cpu,
                outcome.c_str());
  }
}

/// One report through a real IngestWriter on a real SQLite file: submit to commit.
void bench_writer(int n) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("triage-bench-delta-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto store = std::move(*collector::SqliteStore::open((dir / "c.db").string()));
    const auto now = std::chrono::system_clock::now();
    collector::EnrollmentToken t{"t", "h", now, now + std::chrono::hours(1),
                                 10,  0,   "",  std::nullopt};
    (void)store->write(
        [&](collector::WriteTx& tx) { return tx.devices().insert_enrollment_token(t); });
    collector::Device device;
    device.id = "bench";
    device.certificate_sha256 = "x";
    device.enrolled_at = now;
    (void)store->write(
        [&](collector::WriteTx& tx) { return tx.devices().enroll_device("h", device, now); });
    collector::IngestWriter writer(*store, collector::IngestOptions{});
    std::uint64_t seq = 0;
    auto submit = [&](const v1::AgentMessage& message, const char* kind) {
      collector::StoredReport report{"bench", message.seq(), kind, std::chrono::system_clock::now(),
                                     message.SerializeAsString()};
      std::promise<std::string> done;
      auto future = done.get_future();
      const auto start = Clock::now();
      const double cpu = cpu_ms();
      writer.submit(std::move(report), [&](const Result<collector::IngestOutcome>& r) {
        if (!r) return done.set_value("failed: " + r.error().message);
        done.set_value(r->state == collector::StateEffect::kApplied ? "applied"
                       : r->state == collector::StateEffect::kGap   ? "not applied (stale)"
                                                                    : "stored");
      });
      auto outcome = future.get();
      const double wall = ms_since(start);
      return std::make_tuple(wall, cpu_ms() - cpu, outcome);
    };
    const auto snapshot = base(n);
    for (const auto& shape : shapes()) {
      v1::AgentMessage full;
      full.set_seq(++seq);
      *full.mutable_snapshot()->mutable_snapshot() = snapshot;
      auto [snapshot_ms, snapshot_cpu, snapshot_outcome] = submit(full, "snapshot");
      v1::AgentMessage delta;
      delta.set_seq(++seq);
      *delta.mutable_delta()->mutable_delta() = shape.make(n);
      delta.mutable_delta()->mutable_delta()->set_base_seq(seq - 1);
      const auto bytes = delta.ByteSizeLong();
      auto [ms, cpu, outcome] = submit(delta, "delta");
      std::printf(
          "writer  N=%-7d %-36s %8.1f ms (cpu %8.1f ms)  %s (%zu bytes; its base "
          "snapshot: %.1f ms, cpu %.1f ms)\n",
          n, shape.what, ms, cpu, outcome.c_str(), bytes, snapshot_ms, snapshot_cpu);
    }
    writer.stop();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  int writer_size = 100'000;
  bool writer = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--size" && i + 1 < argc) {
      sizes.push_back(std::atoi(argv[++i]));
    } else if (a == "--writer-size" && i + 1 < argc) {
      writer_size = std::atoi(argv[++i]);
    } else if (a == "--skip-writer") {
      writer = false;
    } else {
      std::fprintf(stderr, "usage: %s [--size N]... [--writer-size N] [--skip-writer]\n", argv[0]);
      return 2;
    }
  }
  if (sizes.empty()) sizes = {10'000, 100'000, 200'000};
  for (int n : sizes) bench_apply(n);
  if (writer) bench_writer(writer_size);
  return 0;
}
