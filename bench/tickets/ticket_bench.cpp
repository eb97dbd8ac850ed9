// Ticket benchmarks (results in docs/PERFORMANCE.md; driven by run_bench.sh):
//   seed    fill a collector database with N tickets (collector stopped)
//   query   p50/p99 of the filtered ticket list over HTTPS
//   enrich  ticket created → fresh snapshot + findings attached, with an online agent
//   orders  order placed → its first output stored at the collector, with an online agent
//           (bench/orders/run_bench.sh)
//   probes  probe asked → the agent's answer stored at the collector, with an online agent
//           (bench/probes/run_bench.sh)
//   live    N live views at once on online devices: open → first sample readable, the
//           collector's CPU while they stream, and the points a browser-like poller receives
//           each second (bench/live/run_bench.sh)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include "collector/storage/sqlite/sqlite_store.hpp"
#include "collector/tickets/sla_policy.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/transport/url.hpp"
#include "shared/util/time_format.hpp"

namespace tc = triage::collector;
namespace tr = triage::transport;
using Clock = std::chrono::steady_clock;

namespace {

int seed(const std::string& db, int count) {
  auto store = tc::SqliteStore::open(db);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  std::mt19937 rng(42);
  const tc::TicketStatus statuses[] = {tc::TicketStatus::kNew, tc::TicketStatus::kOpen,
                                       tc::TicketStatus::kPending, tc::TicketStatus::kResolved,
                                       tc::TicketStatus::kClosed};
  tc::SlaPolicy sla;
  const auto start = Clock::now();
  const auto base = std::chrono::system_clock::now() - std::chrono::hours(24 * 90);
  // Devices with current findings, linked to most tickets: the queue's findings summary
  // (worst severity and count per ticket) then has real rows to aggregate.
  const int device_count = std::max(1, std::min(count / 20, 5000));
  tc::EnrollmentToken token;
  token.id = "bench";
  token.token_hash = "bench";
  token.created_at = base;
  token.expires_at = base + std::chrono::hours(24 * 365);
  token.max_uses = device_count;
  if (auto r = (*store)->write(
          [&](tc::WriteTx& tx) { return tx.devices().insert_enrollment_token(token); });
      !r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  const char* severities[] = {"info", "warning", "critical"};
  std::vector<std::string> devices;
  for (int d = 0; d < device_count; ++d) {
    tc::Device device;
    device.id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + d);
    device.hostname = "bench-" + std::to_string(d);
    device.certificate_sha256 = "00";
    device.enrolled_at = base;
    if (auto r = (*store)->write(
            [&](tc::WriteTx& tx) { return tx.devices().enroll_device("bench", device, base); });
        !r) {
      std::fprintf(stderr, "%s\n", r.error().message.c_str());
      return 1;
    }
    std::vector<tc::DeviceFinding> findings;
    for (int f = 0, n = static_cast<int>(rng() % 6); f < n; ++f) {
      findings.push_back({device.id, "bench.rule" + std::to_string(f), "", severities[rng() % 3],
                          "Seeded finding", "seeded", base, base});
    }
    if (auto r = (*store)->write([&](tc::WriteTx& tx) {
          return tx.problems().replace_device_findings(device.id, findings, base);
        });
        !r) {
      std::fprintf(stderr, "%s\n", r.error().message.c_str());
      return 1;
    }
    devices.push_back(device.id);
  }
  for (int i = 0; i < count; ++i) {
    tc::Ticket t;
    t.title = "Seeded ticket " + std::to_string(i) + ": printer offline on floor " +
              std::to_string(rng() % 9);
    t.description = "Generated for the ticket list benchmark.";
    t.requester = "user" + std::to_string(rng() % 5000) + "@example.com";
    t.status = statuses[rng() % 5];
    t.priority = 1 + static_cast<int>(rng() % 4);
    t.tier = 1 + static_cast<int>(rng() % 3);
    t.queue = (rng() % 3) == 0 ? "field" : "default";
    t.source = "staff";
    t.created_by = "bench";
    t.created_at = base + std::chrono::seconds(i * 77);
    t.updated_at = t.created_at;
    if (rng() % 5 != 0) t.device_ids.push_back(devices[rng() % devices.size()]);
    sla.apply(t);
    tc::TicketEvent created;
    created.at = t.created_at;
    created.actor = "bench";
    created.kind = "created";
    created.visibility = tc::Visibility::kPublic;
    if (auto r = (*store)->write(
            [&](tc::WriteTx& tx) { return tx.tickets().create_ticket(t, {created}); });
        !r) {
      std::fprintf(stderr, "%s\n", r.error().message.c_str());
      return 1;
    }
  }
  std::printf(
      "seeded %d tickets (4 in 5 linked to one of %d devices with 0-5 findings) in %.1f s\n", count,
      device_count, std::chrono::duration<double>(Clock::now() - start).count());
  return 0;
}

struct Client {
  std::string host, port, token;
  std::shared_ptr<boost::asio::ssl::context> tls;

  triage::Result<tr::HttpResponse> call(tr::http::verb verb, const std::string& target,
                                        const std::string& body = "") {
    tr::HttpRequest req{verb, target, 11};
    req.set(tr::http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.set(tr::http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    return tr::https_request(*tls, host, port, std::move(req));
  }
};

void report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))];
  };
  std::printf("%s: n=%zu p50=%.1f ms p90=%.1f ms p99=%.1f ms max=%.1f ms\n", what, ms.size(),
              at(0.50), at(0.90), at(0.99), ms.back());
}

// Order placed (the POST sent) → the first GET of the order that shows output stored at
// the collector. Polled back to back, each GET on a new TLS connection, so the figure is an
// upper bound by one poll (whose duration is reported too). Orders run one after another.
int order_latency(Client& client, const std::string& device, const std::string& action, int n) {
  auto ticket = client.call(tr::http::verb::post, "/api/v1/tickets",
                            nlohmann::json{{"title", "order bench"}, {"device_id", device}}.dump());
  if (!ticket || ticket->result_int() != 201) {
    std::fprintf(stderr, "ticket creation failed\n");
    return 1;
  }
  const auto ticket_id = nlohmann::json::parse(ticket->body())["id"].get<std::int64_t>();
  const auto target = "/api/v1/tickets/" + std::to_string(ticket_id) + "/actions";
  const auto body = nlohmann::json{{"action", action}, {"params", nlohmann::json::object()}}.dump();
  std::vector<double> first_output_ms, post_ms, poll_ms, done_ms, collector_ms;
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    auto created = client.call(tr::http::verb::post, target, body);
    post_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!created || created->result_int() != 201) {
      std::fprintf(stderr, "order failed: %s\n", created ? created->body().c_str() : "no answer");
      return 1;
    }
    const auto id = nlohmann::json::parse(created->body())["id"].get<std::string>();
    bool seen = false;
    for (;;) {
      const auto p0 = Clock::now();
      auto order = client.call(tr::http::verb::get, "/api/v1/orders/" + id);
      const auto p1 = Clock::now();
      poll_ms.push_back(std::chrono::duration<double, std::milli>(p1 - p0).count());
      if (!order || order->result_int() != 200) {
        std::fprintf(stderr, "order read failed\n");
        return 1;
      }
      auto j = nlohmann::json::parse(order->body());
      const auto state = j.value("state", "");
      if (!seen && !j["output"].value("stdout", "").empty()) {
        seen = true;
        first_output_ms.push_back(std::chrono::duration<double, std::milli>(p1 - t0).count());
      }
      if (state == "succeeded" || state == "failed" || state == "refused" || state == "expired") {
        if (state != "succeeded" || !seen) {
          std::fprintf(stderr, "order %s ended %s without output\n", id.c_str(), state.c_str());
          return 1;
        }
        done_ms.push_back(std::chrono::duration<double, std::milli>(p1 - t0).count());
        // The target's own measure: the collector's clock at the order's creation and at
        // its first output chunk's arrival (millisecond timestamps).
        const auto created = triage::parse_rfc3339(j.value("created_at", ""));
        const auto first = j["first_output_at"].is_string()
                               ? triage::parse_rfc3339(j["first_output_at"].get<std::string>())
                               : std::nullopt;
        if (!created || !first) {
          std::fprintf(stderr, "order %s has no first_output_at\n", id.c_str());
          return 1;
        }
        collector_ms.push_back(
            std::chrono::duration<double, std::milli>(*first - *created).count());
        break;
      }
      if (p1 - t0 > std::chrono::seconds(30)) {
        std::fprintf(stderr, "order %s still %s after 30 s\n", id.c_str(), state.c_str());
        return 1;
      }
    }
  }
  report("order created → first output at the collector (its own timestamps)", collector_ms);
  report("order POST → first output stored (seen by a GET)", first_output_ms);
  report("order POST → succeeded (seen by a GET)", done_ms);
  report("POST /tickets/{id}/actions alone", post_ms);
  report("one GET /orders/{id} poll (new TLS connection each)", poll_ms);
  return 0;
}

// Probe asked (the POST sent) → the first GET of the run that shows the agent's answer stored
// at the collector, polled back to back, each GET on a new TLS connection (an upper bound by
// one poll, whose duration is reported too). Runs one after another; each reaches `target`
// ("host:port") over TCP, so the probe's own network time is one loopback connect.
int probe_latency(Client& client, const std::string& device, const std::string& target, int n) {
  const auto colon = target.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "--target must be host:port\n");
    return 2;
  }
  const auto body =
      nlohmann::json{
          {"probe", "reach"},
          {"params",
           {{"host", target.substr(0, colon)}, {"port", std::stoi(target.substr(colon + 1))}}}}
          .dump();
  const auto path = "/api/v1/devices/" + device + "/probes";
  std::vector<double> answered_ms, post_ms, poll_ms, probe_ms, overhead_ms;
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    auto created = client.call(tr::http::verb::post, path, body);
    post_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!created || created->result_int() != 201) {
      std::fprintf(stderr, "probe failed: %s\n", created ? created->body().c_str() : "no answer");
      return 1;
    }
    const auto id = nlohmann::json::parse(created->body())["id"].get<std::string>();
    for (;;) {
      const auto p0 = Clock::now();
      auto run = client.call(tr::http::verb::get, "/api/v1/probes/" + id);
      const auto p1 = Clock::now();
      poll_ms.push_back(std::chrono::duration<double, std::milli>(p1 - p0).count());
      if (!run || run->result_int() != 200) {
        std::fprintf(stderr, "probe read failed\n");
        return 1;
      }
      auto j = nlohmann::json::parse(run->body());
      const auto state = j.value("state", "");
      if (state != "sent") {
        if (state != "completed") {
          std::fprintf(stderr, "probe %s ended %s: %s\n", id.c_str(), state.c_str(),
                       j["result"].dump().c_str());
          return 1;
        }
        answered_ms.push_back(std::chrono::duration<double, std::milli>(p1 - t0).count());
        probe_ms.push_back(std::stod(j["result"].value("duration_ms", std::string("0"))));
        // The target leaves the probe's own time out: what the path around it adds.
        overhead_ms.push_back(answered_ms.back() - probe_ms.back());
        break;
      }
      if (p1 - t0 > std::chrono::seconds(30)) {
        std::fprintf(stderr, "probe %s unanswered after 30 s\n", id.c_str());
        return 1;
      }
    }
  }
  report("probe POST → answer stored (seen by a GET)", answered_ms);
  report("the probe itself on the agent (its duration_ms)", probe_ms);
  report("POST → answer stored, less the probe's own duration", overhead_ms);
  report("POST /devices/{id}/probes alone", post_ms);
  report("one GET /probes/{id} poll (new TLS connection each)", poll_ms);
  return 0;
}

/// One HTTPS connection kept open across requests, as a browser keeps one to the console
/// (the collector serves at most 100 requests on a connection: it reconnects then).
class KeepAliveClient {
 public:
  KeepAliveClient(const Client& c) : c_(c) {}

  std::optional<tr::HttpResponse> call(tr::http::verb verb, const std::string& target) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!stream_) connect();
        tr::HttpRequest req{verb, target, 11};
        req.set(tr::http::field::host, c_.host);
        req.set(tr::http::field::authorization, "Bearer " + c_.token);
        req.keep_alive(true);
        req.prepare_payload();
        boost::beast::http::write(*stream_, req);
        tr::HttpResponse res;
        boost::beast::http::read(*stream_, buffer_, res);
        if (!res.keep_alive()) stream_.reset();
        return res;
      } catch (const std::exception&) {
        stream_.reset();  // closed by the server between requests: once more on a new one
      }
    }
    return std::nullopt;
  }

 private:
  void connect() {
    boost::asio::ip::tcp::resolver resolver(ioc_);
    stream_ = std::make_unique<boost::beast::ssl_stream<boost::beast::tcp_stream>>(ioc_, *c_.tls);
    boost::beast::get_lowest_layer(*stream_).connect(resolver.resolve(c_.host, c_.port));
    stream_->handshake(boost::asio::ssl::stream_base::client);
    buffer_.clear();
  }

  const Client& c_;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;
  boost::beast::flat_buffer buffer_;
};

/// utime + stime of a process, in seconds (/proc/PID/stat).
double process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 0; i < 13 && fields >> f; ++i) {
    if (i == 11 || i == 12) ticks += std::stod(f);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Opens `sessions` live views, one per online device; times open → first sample readable;
// then measures the collector's CPU over `seconds` while they stream, first unwatched, then
// with a poller that reads every session once a second as the console does (after=next_after),
// counting the points delivered. Stops them all at the end.
int live_load(Client& client, int sessions, int seconds, int collector_pid) {
  auto listed = client.call(tr::http::verb::get, "/api/v1/devices?online=true&limit=1000");
  if (!listed || listed->result_int() != 200) {
    std::fprintf(stderr, "device list failed\n");
    return 1;
  }
  std::vector<std::string> devices;
  const auto listing = nlohmann::json::parse(listed->body());
  for (const auto& d : listing["devices"]) {
    if (static_cast<int>(devices.size()) < sessions) devices.push_back(d["id"].get<std::string>());
  }
  if (static_cast<int>(devices.size()) < sessions) {
    std::fprintf(stderr, "only %zu devices online\n", devices.size());
    return 1;
  }
  struct Session {
    std::string id;
    Clock::time_point opened;
    std::int64_t after = 0;
  };
  std::vector<Session> open;
  std::vector<double> open_ms, first_sample_ms;
  for (const auto& device : devices) {
    const auto t0 = Clock::now();
    auto r = client.call(tr::http::verb::post, "/api/v1/devices/" + device + "/live",
                         nlohmann::json{{"minutes", 10}}.dump());
    open_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!r || r->result_int() != 201) {
      std::fprintf(stderr, "open failed: %s\n", r ? r->body().c_str() : "no answer");
      return 1;
    }
    open.push_back({nlohmann::json::parse(r->body())["id"].get<std::string>(), t0, 0});
  }
  // Each session's first sample, read back: the agent samples one interval after the start.
  for (auto& s : open) {
    for (;;) {
      auto r = client.call(tr::http::verb::get, "/api/v1/live/" + s.id + "?limit=1");
      if (r && r->result_int() == 200 && !nlohmann::json::parse(r->body())["samples"].empty()) {
        first_sample_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - s.opened).count());
        break;
      }
      if (Clock::now() - s.opened > std::chrono::seconds(60)) {
        std::fprintf(stderr, "live view %s: no sample after 60 s\n", s.id.c_str());
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  report("POST /devices/{id}/live (open, one TLS connection each)", open_ms);
  report("open → first sample readable (includes the 1 s sampling interval)", first_sample_ms);

  auto stored = [&] {
    std::int64_t n = 0;
    for (auto& s : open) {
      auto r = client.call(tr::http::verb::get, "/api/v1/live/" + s.id + "?limit=1");
      if (r && r->result_int() == 200) {
        n += nlohmann::json::parse(r->body())["session"]["samples"].get<std::int64_t>();
      }
    }
    return n;
  };
  const auto stored_before = stored();
  const double cpu0 = process_cpu_seconds(collector_pid);
  const auto w0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double quiet_cpu = process_cpu_seconds(collector_pid) - cpu0;
  const double quiet_wall = std::chrono::duration<double>(Clock::now() - w0).count();
  const auto stored_after = stored();
  std::printf(
      "unwatched: %d sessions streaming for %.1f s: collector CPU %.1f %% of a core "
      "(%.3f %% per session); %.0f samples stored per second\n",
      sessions, quiet_wall, 100 * quiet_cpu / quiet_wall, 100 * quiet_cpu / quiet_wall / sessions,
      static_cast<double>(stored_after - stored_before) / quiet_wall);

  std::vector<double> poll_ms;
  std::int64_t points = 0;
  KeepAliveClient browser(client);
  for (auto& s : open) s.after = 0;
  // Skip what came before the window: one read to each session's newest seq.
  for (auto& s : open) {
    auto r = client.call(tr::http::verb::get, "/api/v1/live/" + s.id + "?limit=600");
    if (r && r->result_int() == 200) {
      s.after = nlohmann::json::parse(r->body())["next_after"].get<std::int64_t>();
    }
  }
  const double cpu1 = process_cpu_seconds(collector_pid);
  const auto p0 = Clock::now();
  while (Clock::now() - p0 < std::chrono::seconds(seconds)) {
    const auto round = Clock::now();
    for (auto& s : open) {
      const auto t0 = Clock::now();
      auto r = browser.call(tr::http::verb::get,
                            "/api/v1/live/" + s.id + "?after=" + std::to_string(s.after));
      poll_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (!r || r->result_int() != 200) continue;
      auto j = nlohmann::json::parse(r->body());
      points += static_cast<std::int64_t>(j["samples"].size());
      s.after = j["next_after"].get<std::int64_t>();
    }
    const auto spent = Clock::now() - round;
    if (spent < std::chrono::seconds(1))
      std::this_thread::sleep_for(std::chrono::seconds(1) - spent);
  }
  const double watched_cpu = process_cpu_seconds(collector_pid) - cpu1;
  const double watched_wall = std::chrono::duration<double>(Clock::now() - p0).count();
  std::printf(
      "watched: %d sessions polled each second for %.1f s: %.0f points/s delivered "
      "(%.2f per session per second); collector CPU %.1f %% of a core, polls included\n",
      sessions, watched_wall, static_cast<double>(points) / watched_wall,
      static_cast<double>(points) / watched_wall / sessions, 100 * watched_cpu / watched_wall);
  report("one GET /live/{id}?after= poll (a kept-alive connection, as a browser's)", poll_ms);
  for (auto& s : open) client.call(tr::http::verb::post, "/api/v1/live/" + s.id + "/stop", "{}");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"triage ticket benchmarks"};
  app.require_subcommand(1);
  std::string db, url, ca_file, token, device;
  int count = 100000, requests = 500;
  auto* seed_cmd = app.add_subcommand("seed", "fill a database with tickets");
  seed_cmd->add_option("--db", db)->required();
  seed_cmd->add_option("--tickets", count);
  auto* query_cmd = app.add_subcommand("query", "filtered ticket list latency");
  auto* enrich_cmd = app.add_subcommand("enrich", "ticket → fresh diagnostics latency");
  auto* orders_cmd = app.add_subcommand("orders", "order → first output at the collector");
  auto* probes_cmd = app.add_subcommand("probes", "probe → answer at the collector");
  auto* live_cmd = app.add_subcommand("live", "N live views: collector CPU, points delivered");
  std::string action, target;
  int sessions = 200, seconds = 30, collector_pid = 0;
  live_cmd->add_option("--sessions", sessions);
  live_cmd->add_option("--seconds", seconds);
  live_cmd->add_option("--collector-pid", collector_pid)->required();
  for (auto* c : {query_cmd, enrich_cmd, orders_cmd, probes_cmd, live_cmd}) {
    c->add_option("--url", url)->required();
    c->add_option("--ca", ca_file)->required();
    c->add_option("--token", token)->required();
    c->add_option("--requests", requests);
  }
  enrich_cmd->add_option("--device", device)->required();
  orders_cmd->add_option("--device", device)->required();
  orders_cmd->add_option("--action", action, "a low-risk action without parameters")->required();
  probes_cmd->add_option("--device", device)->required();
  probes_cmd->add_option("--target", target, "host:port the reach probe connects to")->required();
  CLI11_PARSE(app, argc, argv);
  if (seed_cmd->parsed()) return seed(db, count);

  std::ifstream in(ca_file);
  std::stringstream pem;
  pem << in.rdbuf();
  auto tls = tr::make_client_tls_context({pem.str(), "", ""});
  auto parsed = tr::parse_url(url);
  if (!tls || !parsed) {
    std::fprintf(stderr, "bad --ca or --url\n");
    return 2;
  }
  Client client{parsed->host, parsed->port, token, std::move(*tls)};

  if (query_cmd->parsed()) {
    std::vector<double> ms;
    std::int64_t total = -1;
    for (int i = 0; i < requests; ++i) {
      const std::string target =
          "/api/v1/tickets?status=open,pending&priority=" + std::string(i % 2 ? "1,2" : "P3") +
          "&limit=50&offset=" + std::to_string((i % 20) * 50);
      const auto t0 = Clock::now();
      auto res = client.call(tr::http::verb::get, target);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (!res || res->result_int() != 200) {
        std::fprintf(stderr, "request failed\n");
        return 1;
      }
      if (i == 1) total = nlohmann::json::parse(res->body())["total"].get<std::int64_t>();
    }
    std::printf("matching tickets (P1-P2 open/pending): %lld\n", static_cast<long long>(total));
    report("GET /api/v1/tickets (filtered, one TLS connection per request)", ms);
    return 0;
  }

  if (orders_cmd->parsed()) return order_latency(client, device, action, requests);
  if (probes_cmd->parsed()) return probe_latency(client, device, target, requests);
  if (live_cmd->parsed()) return live_load(client, sessions, seconds, collector_pid);
  std::vector<double> ms;
  for (int i = 0; i < requests; ++i) {
    const auto t0 = Clock::now();
    auto created = client.call(
        tr::http::verb::post, "/api/v1/tickets",
        nlohmann::json{{"title", "bench " + std::to_string(i)}, {"device_id", device}}.dump());
    if (!created || created->result_int() != 201) {
      std::fprintf(stderr, "create failed\n");
      return 1;
    }
    const auto id = nlohmann::json::parse(created->body())["id"].get<std::int64_t>();
    for (;;) {
      auto detail = client.call(tr::http::verb::get, "/api/v1/tickets/" + std::to_string(id));
      if (!detail) return 1;
      auto j = nlohmann::json::parse(detail->body(), nullptr, false);
      if (!j.is_discarded() && !j["diagnostics"].empty()) {
        if (j["diagnostics"][0]["source"] != "fresh") {
          std::fprintf(stderr, "ticket %lld: diagnostics were not fresh\n",
                       static_cast<long long>(id));
          return 1;
        }
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  report("ticket created -> fresh snapshot + findings attached", ms);
  return 0;
}
