// Benchmark of a full agent snapshot: CPU (self + programs run), wall time, peak RSS,
// serialized and zlib-compressed sizes of the snapshot and of a delta between two snapshots.
// Not a test: it prints numbers for docs/PERFORMANCE.md.
//
//   bench_collect [--runs N] [--sysroot DIR] [--no-probes]
#include <sys/resource.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "agent/collectors/snapshot_taker.hpp"
#include "shared/protocol/delta.hpp"

namespace {

double cpu_ms(int who) {
  rusage r{};
  ::getrusage(who, &r);
  return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000.0 +
         (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1000.0;
}

long peak_rss_kib() {
  rusage r{};
  ::getrusage(RUSAGE_SELF, &r);
  return r.ru_maxrss;
}

std::size_t zlib_size(const std::string& data) {
  uLongf len = compressBound(static_cast<uLong>(data.size()));
  std::vector<Bytef> out(len);
  if (compress2(out.data(), &len, reinterpret_cast<const Bytef*>(data.data()),
                static_cast<uLong>(data.size()), 6) != Z_OK)
    return 0;
  return len;
}

struct Run {
  double cpu_self_ms, cpu_children_ms, wall_ms;
};

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  triage::agent::SnapshotOptions options;
  options.probe_dns_name = "deb.debian.org";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--sysroot" && i + 1 < argc)
      options.sysroot = argv[++i];
    else if (a == "--no-probes")
      options.probes_enabled = false;
    else {
      std::fprintf(stderr, "usage: %s [--runs N] [--sysroot DIR] [--no-probes]\n", argv[0]);
      return 2;
    }
  }
  long rss_before = peak_rss_kib();
  triage::agent::SnapshotTaker taker(options);
  std::vector<Run> results;
  triage::v1::Snapshot first, last;
  for (int i = 0; i < runs; ++i) {
    double s0 = cpu_ms(RUSAGE_SELF), c0 = cpu_ms(RUSAGE_CHILDREN);
    auto t0 = std::chrono::steady_clock::now();
    auto snap = taker.take();
    double wall =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    results.push_back({cpu_ms(RUSAGE_SELF) - s0, cpu_ms(RUSAGE_CHILDREN) - c0, wall});
    if (i == 0) first = snap;
    last = std::move(snap);
  }
  auto bytes = first.SerializeAsString();
  auto delta = triage::protocol::diff_snapshots(first, last).SerializeAsString();
  auto total = [](const Run& r) { return r.cpu_self_ms + r.cpu_children_ms; };
  std::vector<Run> sorted = results;
  std::sort(sorted.begin(), sorted.end(), [&](auto& a, auto& b) { return total(a) < total(b); });
  const Run& median = sorted[sorted.size() / 2];

  std::printf("runs                       %d\n", runs);
  std::printf("first snapshot CPU         %.1f ms (agent %.1f + programs it ran %.1f)\n",
              total(results[0]), results[0].cpu_self_ms, results[0].cpu_children_ms);
  std::printf("median snapshot CPU        %.1f ms (agent %.1f + programs %.1f)\n", total(median),
              median.cpu_self_ms, median.cpu_children_ms);
  std::printf(
      "first snapshot wall        %.1f ms (includes the 200 ms process CPU sampling window)\n",
      results[0].wall_ms);
  std::printf("peak RSS                   %.1f MiB (process before first snapshot: %.1f MiB)\n",
              peak_rss_kib() / 1024.0, rss_before / 1024.0);
  std::printf("snapshot protobuf          %zu bytes, %zu bytes zlib-compressed\n", bytes.size(),
              zlib_size(bytes));
  std::printf("delta first->last          %zu bytes, %zu bytes zlib-compressed\n", delta.size(),
              zlib_size(delta));
  std::printf("packages / processes       %d / %u\n", first.software().packages_size(),
              first.software().process_summary().total());
  std::printf("slowest collectors (first run):\n");
  auto collectors = std::vector<triage::v1::CollectorStatus>(first.collectors().begin(),
                                                             first.collectors().end());
  std::sort(collectors.begin(), collectors.end(),
            [](auto& a, auto& b) { return a.cpu_ms() > b.cpu_ms(); });
  for (std::size_t i = 0; i < collectors.size() && i < 6; ++i) {
    std::printf("  %-16s cpu %4u ms  wall %5u ms  heap %6.1f KiB  %s\n",
                collectors[i].name().c_str(), collectors[i].cpu_ms(), collectors[i].wall_ms(),
                collectors[i].peak_heap_bytes() / 1024.0,
                triage::v1::CollectorStatus::Outcome_Name(collectors[i].outcome()).c_str());
  }
  return 0;
}
