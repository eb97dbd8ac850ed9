// Worst-case deltas against a device state with one long list: what applying them costs, and
// what one such report costs the ingest writer end to end (read the state from SQLite, parse
// it, apply, serialize, commit). Not a test: it prints numbers for docs/PERFORMANCE.md.
//
//   triage-bench-delta [--size N]... [--writer-size N] [--skip-writer] [--repeat R]
//                      [--only TEXT]
//
// Each case runs R times (7 by default) and prints the min, median and max of its CPU and wall
// time: one run alone says little on a machine shared with builds. --only runs the shapes whose
// name contains TEXT (for a profiler). The writer's store is opened as the server opens it
// (WAL checkpoints on a thread of their own), and its CPU is the writer thread's alone.
//
// Shapes, each on a list of N packages: the whole list reversed (REORDERED), every other
// element removed (N/2 REMOVED), as many elements changed as a delta may carry (10,000
// CHANGED), N/2 elements added.
#include <pthread.h>
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

#include <spdlog/spdlog.h>

#include "collector/ingest/ingest_writer.hpp"
#include "collector/storage/open_store.hpp"
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

/// CPU time of `clock` in ms: on a busy machine closer to the cost than the wall clock.
double cpu_ms(clockid_t clock = CLOCK_PROCESS_CPUTIME_ID) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// The shapes to run: all, or those whose name contains `only`.
std::vector<const Shape*> selected(const std::string& only) {
  std::vector<const Shape*> out;
  for (const auto& shape : shapes()) {
    if (std::string(shape.what).find(only) != std::string::npos) out.push_back(&shape);
  }
  return out;
}

/// The times of one case's runs, in ms.
struct Samples {
  std::vector<double> cpu;
  std::vector<double> wall;
};

/// "min / median / max" of `v` (sorted in place).
std::string spread(std::vector<double>& v) {
  std::sort(v.begin(), v.end());
  char out[64];
  std::snprintf(out, sizeof out, "%6.1f /%6.1f /%6.1f", v.front(), v[v.size() / 2], v.back());
  return out;
}

void print_header(const char* what, int repeat) {
  char runs[32];
  std::snprintf(runs, sizeof runs, "%d runs", repeat);
  std::printf("%-7s %-9s %-40s %-22s %-22s %s\n", what, runs, "shape", "cpu ms min/med/max",
              "wall ms min/med/max", "outcome");
}

void print_row(const char* what, int n, const char* shape, Samples& s, const std::string& outcome) {
  const auto cpu = spread(s.cpu);
  const auto wall = spread(s.wall);
  std::printf("%-7s N=%-7d %-40s %-22s %-22s %s\n", what, n, shape, cpu.c_str(), wall.c_str(),
              outcome.c_str());
}

/// apply_delta_in_place alone, `repeat` times on a fresh copy of the base.
void bench_apply(int n, int repeat, const std::string& only) {
  const auto snapshot = base(n);
  print_header("apply", repeat);
  for (const auto* shape : selected(only)) {
    const auto delta = shape->make(n);
    Samples samples;
    std::string outcome;
    for (int run = 0; run < repeat; ++run) {
      auto copy = snapshot;
      const auto start = Clock::now();
      const double cpu = cpu_ms();
      auto r = protocol::apply_delta_in_place(copy, delta);
      samples.cpu.push_back(cpu_ms() - cpu);
      samples.wall.push_back(ms_since(start));
      outcome = r ? "applied" : "refused: " + r.error().message.substr(0, 50);
    }
    print_row("apply", n, shape->what, samples, outcome);
  }
}

/// One report through a real IngestWriter on a real SQLite file, submit to commit, `repeat`
/// times per shape (each after a full snapshot that resets the state).
void bench_writer(int n, int repeat, const std::string& only) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("triage-bench-delta-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto store = std::move(*collector::open_store(
        collector::StorageConfig{}, (dir / "c.db").string(), collector::StoreUse::kServer));
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
    // The writer thread's own CPU clock: the checkpointer thread works meanwhile.
    clockid_t writer_clock{};
    {
      std::promise<clockid_t> found;
      writer.post([&] {
        clockid_t c{};
        pthread_getcpuclockid(pthread_self(), &c);
        found.set_value(c);
      });
      writer_clock = found.get_future().get();
    }
    std::uint64_t seq = 0;
    auto submit = [&](const v1::AgentMessage& message, const char* kind) {
      collector::StoredReport report{"bench", message.seq(), kind, std::chrono::system_clock::now(),
                                     message.SerializeAsString()};
      std::promise<std::string> done;
      auto future = done.get_future();
      const auto start = Clock::now();
      const double cpu = cpu_ms(writer_clock);
      writer.submit(std::move(report), [&](const Result<collector::IngestOutcome>& r) {
        if (!r) return done.set_value("failed: " + r.error().message);
        done.set_value(r->state == collector::StateEffect::kApplied ? "applied"
                       : r->state == collector::StateEffect::kGap   ? "not applied (stale)"
                                                                    : "stored");
      });
      auto outcome = future.get();
      const double wall = ms_since(start);
      return std::make_tuple(wall, cpu_ms(writer_clock) - cpu, outcome);
    };
    const auto snapshot = base(n);
    print_header("writer", repeat);
    Samples snapshots;
    for (const auto* shape : selected(only)) {
      Samples samples;
      std::string last_outcome;
      std::size_t bytes = 0;
      for (int run = 0; run < repeat; ++run) {
        v1::AgentMessage full;
        full.set_seq(++seq);
        *full.mutable_snapshot()->mutable_snapshot() = snapshot;
        auto [snapshot_ms, snapshot_cpu, snapshot_outcome] = submit(full, "snapshot");
        snapshots.cpu.push_back(snapshot_cpu);
        snapshots.wall.push_back(snapshot_ms);
        v1::AgentMessage delta;
        delta.set_seq(++seq);
        *delta.mutable_delta()->mutable_delta() = shape->make(n);
        delta.mutable_delta()->mutable_delta()->set_base_seq(seq - 1);
        bytes = delta.ByteSizeLong();
        auto [ms, cpu, outcome] = submit(delta, "delta");
        samples.cpu.push_back(cpu);
        samples.wall.push_back(ms);
        last_outcome = std::move(outcome);
      }
      print_row("writer", n, shape->what, samples,
                last_outcome + " (" + std::to_string(bytes) + " bytes)");
    }
    print_row("writer", n, "(the full snapshot before each delta)", snapshots, "applied");
    writer.stop();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  int writer_size = 100'000;
  bool writer = true;
  int repeat = 7;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--size" && i + 1 < argc) {
      sizes.push_back(std::atoi(argv[++i]));
    } else if (a == "--writer-size" && i + 1 < argc) {
      writer_size = std::atoi(argv[++i]);
    } else if (a == "--skip-writer") {
      writer = false;
    } else if (a == "--repeat" && i + 1 < argc && std::atoi(argv[i + 1]) > 0) {
      repeat = std::atoi(argv[++i]);
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--size N]... [--writer-size N] [--skip-writer] [--repeat R] "
                   "[--only TEXT]\n",
                   argv[0]);
      return 2;
    }
  }
  if (sizes.empty()) sizes = {10'000, 100'000, 200'000};
  // The refusals are expected (a shape grows a list past its limit): not worth a line per run.
  spdlog::set_level(spdlog::level::warn);
  for (int n : sizes) bench_apply(n, repeat, only);
  if (writer) bench_writer(writer_size, repeat, only);
  return 0;
}
