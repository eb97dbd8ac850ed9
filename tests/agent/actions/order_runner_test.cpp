// The agent's order runner with a real journal and real execution (/bin/echo): an accepted
// order runs once and reports output and result; the same signed order sent again, also to a
// restarted agent, is refused as a replay; refusals carry their reason and land in history.

#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "agent/actions/order_runner.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;
using namespace std::chrono_literals;

namespace {

const std::string kHash(32, '\x42');

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Harness {
  testing::TempDir dir;
  pki::PKeyPtr key = std::move(*pki::generate_ed25519_key());
  std::unique_ptr<ActionJournal> journal;
  std::vector<v1::AgentMessage> sent_now;
  std::vector<v1::AgentMessage> results;

  Harness() { reopen(); }
  void reopen() {
    journal.reset();
    journal = std::move(*ActionJournal::open(dir.path() / "actions.db"));
  }

  OrderRunnerSettings settings(ActionPolicy policy = {}) {
    OrderRunnerSettings s;
    s.pinned_key_pem = *pki::public_key_to_pem(key.get());
    s.device_id = "dev-1";
    s.policy = std::move(policy);
    return s;
  }

  v1::SignedCatalog catalog() {
    v1::CatalogManifest m;
    m.set_issued_at_unix_ms(now_ms());
    for (auto [id, risk] :
         {std::pair{"echo", v1::RISK_LOW}, std::pair{"echo-medium", v1::RISK_MEDIUM}}) {
      auto* e = m.add_entries();
      e->set_action_id(id);
      e->set_action_version(1);
      e->set_definition_sha256(kHash);
      e->set_risk(risk);
    }
    return *protocol::sign_catalog(key.get(), "kid", m);
  }

  v1::SignedOrder order(const std::string& id, const std::string& action = "echo",
                        v1::Risk risk = v1::RISK_LOW) {
    v1::OrderPayload p;
    p.set_order_id(id);
    p.set_device_id("dev-1");
    p.set_action_id(action);
    p.set_action_version(1);
    p.set_definition_sha256(kHash);
    p.add_argv("/bin/echo");
    p.add_argv("ran " + id);
    p.set_issued_at_unix_ms(now_ms());
    p.set_expires_at_unix_ms(now_ms() + 600'000);
    p.set_nonce(pki::random_bytes(32));
    p.set_risk(risk);
    p.set_timeout_s(10);
    p.set_output_cap_bytes(4096);
    p.set_platform("linux");
    return *protocol::sign_order(key.get(), "kid", p);
  }

  /// Runs the I/O loop until `count` results arrived.
  void run_until_results(boost::asio::io_context& ioc, std::size_t count) {
    auto guard = boost::asio::make_work_guard(ioc);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (results.size() < count && std::chrono::steady_clock::now() < deadline) {
      ioc.run_for(20ms);
      ioc.restart();
    }
    REQUIRE(results.size() == count);
  }

  std::unique_ptr<OrderRunner> runner(boost::asio::io_context& ioc, ActionPolicy policy = {}) {
    return std::make_unique<OrderRunner>(
        ioc, *journal, settings(std::move(policy)),
        [this](v1::AgentMessage m) { sent_now.push_back(std::move(m)); },
        [this](v1::AgentMessage m) { results.push_back(std::move(m)); });
  }
};

}  // namespace

TEST_CASE("an order runs once; the same signed order again is refused, also after a restart") {
  Harness h;
  const auto signed_order = h.order("o-1");
  {
    boost::asio::io_context ioc;
    auto runner = h.runner(ioc);
    runner->accept_catalog(h.catalog());
    runner->handle(signed_order);
    h.run_until_results(ioc, 1);
    const auto& result = h.results[0].order_result();
    CHECK(result.order_id() == "o-1");
    CHECK(result.state() == v1::SUCCEEDED);
    CHECK(result.output_excerpt() == "ran o-1\n");
    CHECK(result.history_head_sha256().size() == 32);
    bool running = false;
    std::string streamed;
    for (const auto& m : h.sent_now) {
      running = running || (m.has_order_update() && m.order_update().state() == v1::RUNNING);
      if (m.has_order_output()) streamed += m.order_output().data();
    }
    CHECK(running);
    CHECK(streamed == "ran o-1\n");

    runner->handle(signed_order);
    h.run_until_results(ioc, 2);
    CHECK(h.results[1].order_result().state() == v1::REFUSED);
    CHECK_THAT(h.results[1].order_result().reason(), Catch::Contains("replayed"));
  }
  h.reopen();
  boost::asio::io_context ioc;
  auto runner = h.runner(ioc);
  runner->accept_catalog(h.catalog());
  runner->handle(signed_order);
  h.run_until_results(ioc, 3);
  CHECK(h.results[2].order_result().state() == v1::REFUSED);
  CHECK_THAT(h.results[2].order_result().reason(), Catch::Contains("replayed"));
  auto entries = h.journal->entries();
  REQUIRE(entries);
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[0].data["outcome"] == "succeeded");
  CHECK((*entries)[1].data["outcome"] == "refused");
  auto chain = h.journal->verify();
  REQUIRE(chain);
  CHECK_FALSE(*chain);
}

TEST_CASE("refusals are reported with their reason and nothing runs") {
  Harness h;
  boost::asio::io_context ioc;
  auto runner = h.runner(ioc);
  // Before any catalog: refused.
  runner->handle(h.order("o-0"));
  h.run_until_results(ioc, 1);
  CHECK_THAT(h.results[0].order_result().reason(), Catch::Contains("catalog"));
  runner->accept_catalog(h.catalog());
  // A catalog signed by another key is ignored (the accepted one stays).
  auto other = std::move(*pki::generate_ed25519_key());
  v1::CatalogManifest empty;
  empty.set_issued_at_unix_ms(now_ms() + 1000);
  runner->accept_catalog(*protocol::sign_catalog(other.get(), "kid", empty));

  runner->handle(h.order("o-medium", "echo-medium", v1::RISK_MEDIUM));  // policy: low only
  auto forged = h.order("o-forged");
  forged.set_signature(std::string(64, '\0'));
  runner->handle(forged);
  auto unknown = h.order("o-unknown", "format-disk");
  runner->handle(unknown);
  h.run_until_results(ioc, 4);
  CHECK_THAT(h.results[1].order_result().reason(), Catch::Contains("local policy"));
  CHECK_THAT(h.results[2].order_result().reason(), Catch::Contains("signature"));
  CHECK_THAT(h.results[3].order_result().reason(), Catch::Contains("not in the signed catalog"));
  for (const auto& r : h.results) CHECK(r.order_result().state() == v1::REFUSED);
  for (const auto& m : h.sent_now) CHECK_FALSE(m.has_order_update());
}
