#include "bench/storage/store_path.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

namespace triage::bench {

int run_through_store(collector::Store& store, const StorePathOptions& options) {
  using Clock = std::chrono::steady_clock;
  std::mt19937_64 rng(42);
  std::vector<std::string> ids(options.devices);
  for (auto& id : ids) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(rng()),
                  static_cast<unsigned>(rng() & 0xffff), static_cast<unsigned>(rng() & 0xfff),
                  static_cast<unsigned>(rng() & 0xfff),
                  static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
    id = buf;
  }
  // The devices exist, as they do for the ingest writer (SQLite's reports refer to them).
  auto enrolled = store.write([&](collector::WriteTx& tx) -> Result<void> {
    collector::EnrollmentToken token;
    token.id = "bench";
    token.token_hash = "bench";
    token.created_at = collector::TimePoint{};
    token.expires_at = collector::TimePoint::max();
    token.max_uses = static_cast<int>(ids.size());
    if (auto r = tx.devices().insert_enrollment_token(token); !r) return r;
    for (const auto& id : ids) {
      collector::Device d;
      d.id = id;
      d.certificate_sha256 = id;
      if (auto r = tx.devices().enroll_device("bench", d, collector::TimePoint{}); !r) {
        return tl::unexpected(r.error());
      }
    }
    return {};
  });
  if (!enrolled) {
    std::fprintf(stderr, "enrolling the devices: %s\n", enrolled.error().message.c_str());
    return 1;
  }
  std::string payload(options.payload_bytes, '\0');
  for (auto& c : payload) c = static_cast<char>(rng());
  std::vector<std::uint64_t> next_seq(options.devices, 1);
  std::vector<double> commit_ms;
  std::size_t done = 0;
  std::size_t device = 0;
  const auto start = Clock::now();
  while (done < options.rows) {
    std::vector<collector::StoredReport> batch;
    for (std::size_t i = 0; i < options.batch && done < options.rows; ++i, ++done) {
      device = (device + 7919) % options.devices;  // spread over the devices, as agents interleave
      collector::StoredReport r;
      r.device_id = ids[device];
      r.seq = next_seq[device]++;
      r.kind = "delta";
      r.received_at = collector::TimePoint(std::chrono::milliseconds(1'790'000'000'000));
      r.payload = payload;
      batch.push_back(std::move(r));
    }
    const auto t0 = Clock::now();
    auto stored =
        store.write([&](collector::WriteTx& tx) { return tx.reports().store_reports(batch); });
    if (!stored) {
      std::fprintf(stderr, "store_reports: %s\n", stored.error().message.c_str());
      return 1;
    }
    commit_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // This process's CPU only: a PostgreSQL server spends its own, in other processes.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::sort(commit_ms.begin(), commit_ms.end());
  auto pct = [&](double p) {
    return commit_ms[std::min(commit_ms.size() - 1,
                              static_cast<std::size_t>(p * commit_ms.size()))];
  };
  std::printf(
      "%s: %zu rows of %zu B in transactions of %zu: %.2f s, %.0f inserts/s, %.1f MB/s; %.2f s "
      "client CPU; transaction p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
      options.label.c_str(), options.rows, options.payload_bytes, options.batch, seconds,
      options.rows / seconds, options.rows * options.payload_bytes / seconds / 1e6, cpu, pct(0.5),
      pct(0.99), commit_ms.back());
  return 0;
}

}  // namespace triage::bench
