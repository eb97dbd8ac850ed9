#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "shared/transport/admission_gate.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/tls_context.hpp"
#include "tests/shared/transport/loopback_tls_server.hpp"

using namespace std::chrono_literals;
using namespace triage;
using transport::AdmissionGate;

TEST_CASE("the handshake gate admits up to its limit and queues the rest in arrival order") {
  std::vector<std::pair<std::size_t, std::size_t>> seen;
  AdmissionGate gate(
      2, [&](std::size_t running, std::size_t waiting) { seen.emplace_back(running, waiting); });
  std::vector<int> granted;
  for (int i = 0; i < 4; ++i) {
    gate.acquire([&granted, i] {
      granted.push_back(i);
      return true;
    });
  }
  CHECK(granted == std::vector<int>{0, 1});
  CHECK(gate.running() == 2);
  CHECK(gate.waiting() == 2);
  gate.release();
  CHECK(granted == std::vector<int>{0, 1, 2});
  CHECK(gate.running() == 2);  // the place went to the waiter
  gate.release();
  gate.release();
  gate.release();
  CHECK(granted == std::vector<int>{0, 1, 2, 3});
  CHECK(gate.running() == 0);
  CHECK(gate.waiting() == 0);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back() == std::make_pair<std::size_t, std::size_t>(0, 0));
}

TEST_CASE("a place declined by a waiter that gave up goes to the next one, none is lost") {
  AdmissionGate gate(1);
  gate.acquire([] { return true; });
  int abandoned_offers = 0;
  bool last_granted = false;
  for (int i = 0; i < 1000; ++i) {
    gate.acquire([&] {
      ++abandoned_offers;
      return false;
    });
  }
  gate.acquire([&] {
    last_granted = true;
    return true;
  });
  gate.release();
  CHECK(abandoned_offers == 1000);
  CHECK(last_granted);
  CHECK(gate.running() == 1);
  gate.release();
  CHECK(gate.running() == 0);
  // A waiter offered a place at once that declines it gives it back.
  gate.acquire([] { return false; });
  CHECK(gate.running() == 0);
}

TEST_CASE("a limit of 0 admits everything") {
  AdmissionGate gate(0);
  int granted = 0;
  for (int i = 0; i < 100; ++i) gate.acquire([&] { return ++granted, true; });
  CHECK(granted == 100);
  CHECK(gate.waiting() == 0);
}

namespace {

using testing::must;

class OkApp final : public transport::ServerApplication {
 public:
  void handle_http(transport::HttpRequest, const transport::PeerIdentity&,
                   transport::Respond respond) override {
    transport::HttpResponse res{transport::http::status::ok, 11};
    res.body() = "ok";
    res.prepare_payload();
    respond(std::move(res));
  }
  void accept_websocket(const transport::HttpRequest&, const transport::PeerIdentity&,
                        transport::Decide decide) override {
    transport::UpgradeDecision d;
    d.refusal = transport::HttpResponse{transport::http::status::not_found, 11};
    decide(std::move(d));
  }
};

// A real TLS server on 127.0.0.1 (port 0) with a handshake gate, on two I/O threads.
struct GatedServer {
  GatedServer(std::size_t limit, std::chrono::milliseconds handshake_timeout)
      : loopback(app, options(limit, handshake_timeout)) {}
  transport::ServerOptions options(std::size_t limit, std::chrono::milliseconds handshake_timeout) {
    transport::ServerOptions o;
    o.handshake_timeout = handshake_timeout;
    o.max_concurrent_handshakes = limit;
    o.on_handshake_gate = [this](std::size_t running, std::size_t) {
      max_running = std::max(max_running.load(), running);
    };
    return o;
  }
  Result<transport::HttpResponse> get() {
    auto client = must(transport::make_client_tls_context({loopback.ca_pem(), "", ""}));
    return transport::https_request(*client, "127.0.0.1", std::to_string(loopback.port()),
                                    transport::HttpRequest{transport::http::verb::get, "/", 11});
  }
  std::vector<std::string> refusal_list() { return loopback.refusals(); }

  OkApp app;
  std::atomic<std::size_t> max_running{0};
  testing::LoopbackTlsServer loopback;
};

}  // namespace

TEST_CASE("with one handshake place, concurrent clients all get through, one at a time",
          "[integration]") {
  GatedServer server(1, 10s);
  std::vector<std::future<bool>> results;
  for (int i = 0; i < 16; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      auto r = server.get();
      return r && r->result() == transport::http::status::ok;
    }));
  }
  for (auto& f : results) CHECK(f.get());
  CHECK(server.max_running.load() == 1);
  CHECK(server.refusal_list().empty());
}

TEST_CASE("silent connections do not hold handshake places", "[integration]") {
  // With one place and a 1 s handshake timeout: if each of these silent connections held the
  // place until its timeout, the client behind them would wait past its own deadline in the
  // queue and be dropped.
  GatedServer server(1, 1000ms);
  boost::asio::io_context client_ioc;
  std::vector<boost::asio::ip::tcp::socket> silent;
  for (int i = 0; i < 4; ++i) {
    silent.emplace_back(client_ioc);
    silent.back().connect({boost::asio::ip::make_address("127.0.0.1"), server.loopback.port()});
  }
  auto r = server.get();
  REQUIRE(r);
  CHECK(r->result() == transport::http::status::ok);
  // The silent ones are dropped at their timeout, counted as such.
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (server.refusal_list().size() < silent.size() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  auto refusals = server.refusal_list();
  REQUIRE(refusals.size() == silent.size());
  for (const auto& reason : refusals) CHECK(reason == "tls_handshake_timeout");
}
