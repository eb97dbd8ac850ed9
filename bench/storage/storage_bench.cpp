// triage-bench-storage: the physical limit of the collector's report inserts on this disk.
// SQLite on a real file with the collector's settings (WAL, synchronous=NORMAL) and its
// `reports` table (UNIQUE (device_id, seq) plus the by-kind index), rows of a delta's size
// from many devices, committed in transactions of the ingest writer's batch size. Prints
// inserts per second and the commit time percentiles.
// With --through-store (SQLite) or --backend postgres the same rows go through the collector's
// Store instead (store_reports in a write transaction per batch), so both backends' ingest
// paths can be measured side by side (store_path.hpp).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <sqlite3.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include "bench/storage/store_path.hpp"
#include "collector/storage/postgres/postgres_store.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

bool exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, error ? error : "?");
    sqlite3_free(error);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "storage-bench.db";
  std::size_t rows = 200'000;
  std::size_t batch = 1000;  // IngestOptions::max_batch
  std::size_t payload_bytes = 3572;
  std::size_t devices = 10'000;
  std::string synchronous = "NORMAL";
  CLI::App app{"triage-bench-storage: batched report inserts into SQLite"};
  app.add_option("--db", path, "database file (recreated)")->capture_default_str();
  app.add_option("--rows", rows, "rows to insert")->capture_default_str();
  app.add_option("--batch", batch, "rows per transaction")->capture_default_str();
  app.add_option("--payload-bytes", payload_bytes, "bytes per row")->capture_default_str();
  app.add_option("--devices", devices, "distinct devices")->capture_default_str();
  app.add_option("--synchronous", synchronous, "NORMAL or FULL")->capture_default_str();
  std::string backend = "sqlite";
  bool through_store = false;
  std::string url;
  app.add_option("--backend", backend, "sqlite or postgres (postgres: always through the store)")
      ->check(CLI::IsMember({"sqlite", "postgres"}))
      ->capture_default_str();
  app.add_flag("--through-store", through_store, "SQLite: insert through SqliteStore");
  app.add_option("--url", url, "postgres: libpq connection string or URL of an empty database");
  CLI11_PARSE(app, argc, argv);

  if (backend == "postgres" || through_store) {
    triage::bench::StorePathOptions options{rows, batch, payload_bytes, devices,
                                            backend + " store"};
    triage::collector::StorePtr store;
    if (backend == "postgres") {
      if (url.empty()) {
        std::fprintf(stderr, "--backend postgres needs --url\n");
        return 2;
      }
      auto opened = triage::collector::PostgresStore::open(url);
      if (!opened) {
        std::fprintf(stderr, "%s\n", opened.error().message.c_str());
        return 1;
      }
      store = std::move(*opened);
    } else {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
      auto opened = triage::collector::SqliteStore::open(
          path, {.background_checkpoints = true, .cache_kib = 65536});
      if (!opened) {
        std::fprintf(stderr, "%s\n", opened.error().message.c_str());
        return 1;
      }
      store = std::move(*opened);
    }
    return triage::bench::run_through_store(*store, options);
  }

  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return 1;
  std::string pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=" + synchronous + ";";
  // The same table as the collector's schema (migration 1), without the devices foreign key.
  if (!exec(db, pragmas.c_str()) ||
      !exec(db,
            "CREATE TABLE reports (id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, "
            "seq INTEGER NOT NULL, kind TEXT NOT NULL, received_at INTEGER NOT NULL, "
            "payload BLOB NOT NULL, UNIQUE (device_id, seq));"
            "CREATE INDEX reports_by_kind ON reports(device_id, kind, seq);")) {
    return 1;
  }
  std::vector<std::string> ids(devices);
  std::mt19937_64 rng(42);
  for (std::size_t i = 0; i < devices; ++i) {
    // UUID-shaped, like the collector's device ids.
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(rng()),
                  static_cast<unsigned>(rng() & 0xffff), static_cast<unsigned>(rng() & 0xfff),
                  static_cast<unsigned>(rng() & 0xfff),
                  static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
    ids[i] = buf;
  }
  std::string payload(payload_bytes, '\0');
  for (auto& c : payload) c = static_cast<char>(rng());
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT OR IGNORE INTO reports (device_id, seq, kind, received_at, payload) "
                     "VALUES (?, ?, 'delta', ?, ?)",
                     -1, &insert, nullptr);
  std::vector<std::uint64_t> next_seq(devices, 1);
  std::vector<double> commit_ms;
  auto start = Clock::now();
  std::size_t done = 0;
  std::size_t device = 0;
  while (done < rows) {
    auto t0 = Clock::now();
    exec(db, "BEGIN");
    for (std::size_t i = 0; i < batch && done < rows; ++i, ++done) {
      device = (device + 7919) % devices;  // spread over the devices, as agents interleave
      sqlite3_reset(insert);
      sqlite3_bind_text(insert, 1, ids[device].c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(next_seq[device]++));
      sqlite3_bind_int64(insert, 3, 1'790'000'000'000);
      sqlite3_bind_blob(insert, 4, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
      if (sqlite3_step(insert) != SQLITE_DONE) {
        std::fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db));
        return 1;
      }
    }
    exec(db, "COMMIT");
    commit_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // CPU time too: on a shared machine the wall time includes waiting for a CPU.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  sqlite3_finalize(insert);
  sqlite3_close(db);
  std::sort(commit_ms.begin(), commit_ms.end());
  auto pct = [&](double p) {
    return commit_ms[std::min(commit_ms.size() - 1,
                              static_cast<std::size_t>(p * commit_ms.size()))];
  };
  std::printf(
      "%zu rows of %zu B in transactions of %zu (synchronous=%s): %.2f s, %.0f inserts/s, "
      "%.1f MB/s; %.2f s CPU (%.0f inserts per CPU-second); transaction p50 %.1f ms, p99 %.1f "
      "ms, max %.1f ms; file %.0f MiB\n",
      rows, payload_bytes, batch, synchronous.c_str(), seconds, rows / seconds,
      rows * payload_bytes / seconds / 1e6, cpu, rows / cpu, pct(0.5), pct(0.99), commit_ms.back(),
      std::filesystem::file_size(path) / 1048576.0);
  return 0;
}
