// triage-loadgen: many simulated agents against a real collector, over real TLS + mTLS and
// protobuf. Reports connected agents, acknowledged reports per second, ack latency
// percentiles and collector memory, then checks in the collector's database (its SQLite file,
// or the PostgreSQL database of a cluster) that every acknowledged report is stored once.

#include <sys/resource.h>

#include <csignal>
#include <cstdlib>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numeric>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/collectors/snapshot_taker.hpp"
#include "bench/loadgen/acked_verification.hpp"
#include "bench/loadgen/sim_agent.hpp"
#include "shared/protocol/delta.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/url.hpp"
#include "shared/util/files.hpp"
#include "triage/v1/envelope.pb.h"

using namespace triage;
using namespace triage::loadgen;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string server = "wss://127.0.0.1:8443";
  std::string ca_file;
  std::string token;
  std::string identities = "loadgen-identities";
  std::string database;
  std::size_t agents = 100;
  std::size_t threads = 2;
  double delta_rate = 1000;  // per second, all agents together
  double duration_s = 30;
  double connect_rate = 1000;  // new connections per second
  int collector_pid = 0;
  double connect_wait_s = 120;
  bool progress = false;
  long backoff_base_ms = 1000;
  long backoff_cap_ms = 300'000;
  long handshake_timeout_ms = 30'000;
  bool tls_resumption = true;
};

// SIGTERM / SIGINT end the traffic early; the summary and the verification still run.
volatile std::sig_atomic_t g_interrupted = 0;
void on_signal(int) { g_interrupted = 1; }

long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    in.ignore(1 << 16, '\n');
  }
  return -1;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

Workload make_workload(const transport::Url& url) {
  Workload w;
  w.host = url.host;
  w.port = url.port;
  agent::SnapshotOptions options;
  options.probes_enabled = false;
  agent::SnapshotTaker taker(options);
  auto first = taker.take();
  v1::SnapshotReport report;
  *report.mutable_snapshot() = first;
  w.snapshot_body = report.SerializeAsString();
  // A typical delta: what changed on this machine between two snapshots, and its way back,
  // so that a chain of them always applies to the collector's materialized state.
  auto second = taker.take();
  v1::DeltaReport delta;
  *delta.mutable_delta() = protocol::diff_snapshots(first, second);
  w.delta_forward = delta.SerializeAsString();
  *delta.mutable_delta() = protocol::diff_snapshots(second, first);
  w.delta_back = delta.SerializeAsString();
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"triage-loadgen: simulated agents against a real collector"};
  app.add_option("--server", o.server, "wss://HOST:PORT")->capture_default_str();
  app.add_option("--ca", o.ca_file, "collector CA certificate (PEM)")->required();
  app.add_option("--token", o.token, "enrollment token with enough uses (for new identities)");
  app.add_option("--identities", o.identities, "cache directory of enrolled identities")
      ->capture_default_str();
  app.add_option("--agents", o.agents, "simulated agents")->capture_default_str();
  app.add_option("--threads", o.threads, "I/O threads")->capture_default_str();
  app.add_option("--delta-rate", o.delta_rate, "deltas per second, all agents")
      ->capture_default_str();
  app.add_option("--duration", o.duration_s, "seconds of delta traffic")->capture_default_str();
  app.add_option("--connect-rate", o.connect_rate, "new connections per second")
      ->capture_default_str();
  app.add_option("--collector-pid", o.collector_pid, "sample this process's RSS");
  app.add_option("--database", o.database,
                 "where to verify acknowledged reports: the collector.db file, or a "
                 "postgres://... URL (the cluster's database)");
  app.add_option("--connect-wait", o.connect_wait_s, "seconds to wait for everyone to connect")
      ->capture_default_str();
  app.add_flag("--progress", o.progress,
               "print a `progress` line each second (connected, attempts, failures)");
  app.add_option("--backoff-base-ms", o.backoff_base_ms, "reconnect backoff base")
      ->capture_default_str();
  app.add_option("--backoff-cap-ms", o.backoff_cap_ms, "reconnect backoff cap")
      ->capture_default_str();
  app.add_option("--handshake-timeout-ms", o.handshake_timeout_ms,
                 "TCP connect + TLS + WebSocket upgrade deadline")
      ->capture_default_str();
  app.add_option("--tls-resumption", o.tls_resumption,
                 "resume TLS sessions from the collector's tickets (true/false)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);

  // Each simulated agent holds a socket.
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  auto url = transport::parse_url(o.server);
  auto ca_pem = read_file(o.ca_file);
  if (!url || !ca_pem) {
    std::cerr << "bad --server or --ca\n";
    return 2;
  }
  auto ids = load_or_enroll(
      {url->host, url->port, *ca_pem, o.token, o.identities, o.agents, 2 * o.threads + 2});
  if (!ids) {
    std::cerr << "identities: " << ids.error().message << "\n";
    return 1;
  }
  auto workload = make_workload(*url);
  workload.backoff_base = std::chrono::milliseconds(o.backoff_base_ms);
  workload.backoff_cap = std::chrono::milliseconds(o.backoff_cap_ms);
  workload.handshake_timeout = std::chrono::milliseconds(o.handshake_timeout_ms);
  workload.tls_resumption = o.tls_resumption;
  std::printf("payloads: snapshot %zu B, deltas %zu B and %zu B\n", workload.snapshot_body.size(),
              workload.delta_forward.size(), workload.delta_back.size());
  auto tls = transport::make_client_tls_context({*ca_pem, "", ""});

  std::vector<std::unique_ptr<boost::asio::io_context>> loops;
  std::vector<Stats> stats(o.threads);
  std::vector<std::vector<std::unique_ptr<SimAgent>>> agents(o.threads);
  for (std::size_t t = 0; t < o.threads; ++t) {
    loops.push_back(std::make_unique<boost::asio::io_context>(1));
  }
  for (std::size_t i = 0; i < o.agents; ++i) {
    auto t = i % o.threads;
    agents[t].push_back(std::make_unique<SimAgent>(
        *loops[t], **tls, (*ids)[i], static_cast<std::uint32_t>(i), workload, stats[t]));
  }

  // Phases driven by wall time; each thread paces its own share.
  std::atomic<bool> stop{false};
  auto start = Clock::now();
  auto traffic_start = std::make_shared<std::atomic<long>>(0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      auto& loop = *loops[t];
      auto& mine = agents[t];
      double connect_rate = o.connect_rate / static_cast<double>(o.threads);
      double delta_rate = o.delta_rate / static_cast<double>(o.threads);
      std::size_t connected_calls = 0;
      double deltas_due = 0;
      std::size_t cursor = 0;
      auto last = Clock::now();
      Clock::time_point stop_at{};
      bool closing = false;
      boost::asio::steady_timer tick(loop);
      std::function<void()> on_tick = [&] {
        auto now = Clock::now();
        double since_start = std::chrono::duration<double>(now - start).count();
        auto target = std::min(mine.size(), static_cast<std::size_t>(since_start * connect_rate));
        while (connected_calls < target) mine[connected_calls++]->connect();
        long ts = traffic_start->load();
        if (ts > 0 && !stop) {
          deltas_due += std::chrono::duration<double>(now - last).count() * delta_rate;
          for (std::size_t tries = 0; deltas_due >= 1 && tries < mine.size(); ++tries) {
            if (mine[cursor]->send_delta()) deltas_due -= 1;
            cursor = (cursor + 1) % mine.size();
          }
        }
        last = now;
        // After the traffic, wait for outstanding acks, but not forever.
        if (stop && stop_at.time_since_epoch().count() == 0) stop_at = now;
        if (stop && !closing &&
            (std::all_of(mine.begin(), mine.end(), [](auto& a) { return a->outstanding() == 0; }) ||
             now - stop_at > std::chrono::seconds(15))) {
          for (auto& a : mine) a->close();
          closing = true;
        }
        // Closing handshakes with a collector that stopped answering do not hold the run.
        if (closing &&
            (std::all_of(mine.begin(), mine.end(), [](auto& a) { return a->closed(); }) ||
             now - stop_at > std::chrono::seconds(45))) {
          loop.stop();
          return;
        }
        tick.expires_after(std::chrono::milliseconds(5));
        tick.async_wait([&](const boost::system::error_code& ec) {
          if (!ec) on_tick();
        });
      };
      on_tick();
      loop.run();
    });
  }

  // Wait for everyone to connect (or a deadline), then run traffic for the duration.
  auto sum = [&](auto member) {
    std::uint64_t n = 0;
    for (auto& s : stats) n += static_cast<std::uint64_t>((s.*member).load());
    return n;
  };
  auto connected = [&] { return sum(&Stats::connected); };
  long peak_rss = 0;
  auto last_progress = Clock::now();
  auto sample = [&] {
    if (o.collector_pid > 0) peak_rss = std::max(peak_rss, rss_kib(o.collector_pid));
    auto now = Clock::now();
    if (o.progress && now - last_progress >= std::chrono::seconds(1)) {
      last_progress = now;
      std::printf(
          "progress t=%.1f connected=%llu hello_acks=%llu attempts=%llu failures=%llu "
          "disconnects=%llu resumed=%llu\n",
          std::chrono::duration<double>(now - start).count(),
          static_cast<unsigned long long>(connected()),
          static_cast<unsigned long long>(sum(&Stats::hello_acks)),
          static_cast<unsigned long long>(sum(&Stats::attempts)),
          static_cast<unsigned long long>(sum(&Stats::connect_failures)),
          static_cast<unsigned long long>(sum(&Stats::disconnects)),
          static_cast<unsigned long long>(sum(&Stats::resumed)));
      std::fflush(stdout);
    }
  };
  auto unacked = [&] {
    std::int64_t n = 0;
    for (auto& s : stats) n += s.unacked.load();
    return n;
  };
  auto connect_deadline = start + std::chrono::duration<double>(o.connect_wait_s);
  while (connected() < o.agents && Clock::now() < connect_deadline && !g_interrupted) {
    sample();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  double connect_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("connected %llu/%zu agents in %.1f s; collector RSS %.1f MiB\n",
              static_cast<unsigned long long>(connected()), o.agents, connect_s,
              rss_kib(o.collector_pid) / 1024.0);
  // The deltas start on a settled collector: every first snapshot acknowledged (bounded).
  while (unacked() > 0 && Clock::now() < connect_deadline + std::chrono::seconds(60) &&
         !g_interrupted) {
    sample();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::printf("snapshots acknowledged %.1f s after the start (%lld still waiting)\n",
              std::chrono::duration<double>(Clock::now() - start).count(),
              static_cast<long long>(unacked()));
  std::uint64_t acked_before = sum(&Stats::acked);
  for (auto& s : stats) s.traffic = true;
  auto traffic_begin = Clock::now();
  traffic_start->store(1);
  std::fflush(stdout);
  // Acknowledgements per 10-second window: a sustained rate is flat, a collector falling
  // behind shows it here.
  auto window_begin = traffic_begin;
  std::uint64_t window_acked = acked_before;
  double min_window_rate = 0;
  std::size_t windows = 0;
  while (Clock::now() - traffic_begin < std::chrono::duration<double>(o.duration_s) &&
         !g_interrupted) {
    sample();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto now = Clock::now();
    if (now - window_begin >= std::chrono::seconds(10)) {
      auto acked_now = sum(&Stats::acked);
      double rate =
          (acked_now - window_acked) / std::chrono::duration<double>(now - window_begin).count();
      min_window_rate = windows++ == 0 ? rate : std::min(min_window_rate, rate);
      std::printf("  window t=%3.0f s: %.0f acked/s, %lld awaiting ack\n",
                  std::chrono::duration<double>(now - traffic_begin).count(), rate,
                  static_cast<long long>(unacked()));
      std::fflush(stdout);
      window_begin = now;
      window_acked = acked_now;
    }
  }
  auto connected_at_stop = connected();
  stop = true;
  for (auto& t : threads) t.join();
  double traffic_s = std::chrono::duration<double>(Clock::now() - traffic_begin).count();

  Stats total;
  for (auto& s : stats) {
    total.sent += s.sent;
    total.acked += s.acked;
    total.duplicates += s.duplicates;
    total.connect_failures += s.connect_failures.load();
    total.disconnects += s.disconnects.load();
    for (auto& [reason, n] : s.failure_reasons) total.failure_reasons[reason] += n;
    for (auto& [reason, n] : s.disconnect_reasons) total.disconnect_reasons[reason] += n;
    total.ack_latency_ms.insert(total.ack_latency_ms.end(), s.ack_latency_ms.begin(),
                                s.ack_latency_ms.end());
  }
  std::printf(
      "reports: sent %llu, acked %llu (%llu duplicates), %.0f acked/s during traffic\n",
      static_cast<unsigned long long>(total.sent), static_cast<unsigned long long>(total.acked),
      static_cast<unsigned long long>(total.duplicates), (total.acked - acked_before) / traffic_s);
  if (windows > 0) std::printf("slowest 10-s window: %.0f acked/s\n", min_window_rate);
  std::printf("delta ack latency ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n",
              percentile(total.ack_latency_ms, 0.50), percentile(total.ack_latency_ms, 0.95),
              percentile(total.ack_latency_ms, 0.99), percentile(total.ack_latency_ms, 1.0));
  std::printf(
      "connection attempts %llu, connect failures %llu, disconnects %llu, connected at the end "
      "%llu, collector peak RSS %.1f MiB; %llu TLS sessions resumed\n",
      static_cast<unsigned long long>(sum(&Stats::attempts)),
      static_cast<unsigned long long>(total.connect_failures.load()),
      static_cast<unsigned long long>(total.disconnects.load()),
      static_cast<unsigned long long>(connected_at_stop), peak_rss / 1024.0,
      static_cast<unsigned long long>(sum(&Stats::resumed)));
  for (auto& [reason, n] : total.failure_reasons) {
    std::printf("  failed attempts: %llu x %s\n", static_cast<unsigned long long>(n),
                reason.c_str());
  }
  for (auto& [reason, n] : total.disconnect_reasons) {
    std::printf("  disconnects: %llu x %s\n", static_cast<unsigned long long>(n), reason.c_str());
  }
  int exit_code = 0;
  if (!o.database.empty()) {
    auto missing = count_unstored_acks(o.database, *ids, stats);
    if (!missing) {
      std::printf("verification: failed: %s\n", missing.error().message.c_str());
      exit_code = 1;
    } else {
      std::printf("verification: %zu acknowledged reports missing from the database\n", *missing);
      if (*missing != 0) exit_code = 1;
    }
  }
  // Connections abandoned at the end may still hold handlers referring to the agents: leave
  // without running destructors.
  std::fflush(stdout);
  std::_Exit(exit_code);
}
