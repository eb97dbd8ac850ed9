// A WebSocket upgrade waits for the application's decision (the collector reads the device
// registry for it, a database round trip) without holding an I/O thread: other connections
// are served meanwhile. A real TLS server on 127.0.0.1 and the one-shot HTTPS client.

#include <catch2/catch.hpp>

#include <future>
#include <mutex>
#include <vector>

#include "shared/transport/https_client.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/tls_context.hpp"
#include "tests/shared/transport/loopback_tls_server.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/upgrade_request.hpp"

using namespace std::chrono_literals;
using namespace triage;
using testing::must;
namespace http = transport::http;

namespace {

// Decides every upgrade (a refusal) only when the test says so.
class SlowDecisionApp final : public transport::ServerApplication {
 public:
  void handle_http(transport::HttpRequest, const transport::PeerIdentity&,
                   transport::Respond respond) override {
    respond(transport::HttpResponse{http::status::ok, 11});
  }
  void accept_websocket(const transport::HttpRequest&, const transport::PeerIdentity&,
                        transport::Decide decide) override {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(decide));
  }

  std::size_t pending() {
    std::lock_guard lock(mutex_);
    return pending_.size();
  }
  /// Refuses every pending upgrade, from the calling thread.
  void release() {
    std::vector<transport::Decide> pending;
    {
      std::lock_guard lock(mutex_);
      pending.swap(pending_);
    }
    for (auto& decide : pending) {
      transport::UpgradeDecision decision;
      decision.refusal = transport::HttpResponse{http::status::forbidden, 11};
      decide(std::move(decision));
    }
  }

 private:
  std::mutex mutex_;
  std::vector<transport::Decide> pending_;
};

}  // namespace

TEST_CASE("upgrades awaiting their decision leave the I/O threads to other connections",
          "[integration]") {
  SlowDecisionApp app;
  testing::LoopbackTlsServer server(app, {});
  auto tls = must(transport::make_client_tls_context({server.ca_pem(), "", ""}));
  const auto port = std::to_string(server.port());
  // As many upgrades awaiting a decision as the server has I/O threads.
  std::vector<std::future<Result<transport::HttpResponse>>> upgrades;
  for (int i = 0; i < 2; ++i) {
    upgrades.push_back(std::async(std::launch::async, [&] {
      return transport::https_request(*tls, "127.0.0.1", port,
                                      testing::websocket_upgrade_request());
    }));
  }
  REQUIRE(testing::eventually([&] { return app.pending() == 2; }));

  transport::HttpsRequestOptions within;
  within.timeout = 5s;
  auto other = transport::https_request(
      *tls, "127.0.0.1", port, transport::HttpRequest{http::verb::get, "/healthz", 11}, within);
  app.release();
  REQUIRE(other);
  CHECK(other->result() == http::status::ok);
  for (auto& upgrade : upgrades) {
    auto answer = upgrade.get();
    REQUIRE(answer);
    CHECK(answer->result() == http::status::forbidden);
  }
}
