// The agent's probe runner with a real journal: a signed probe runs and is answered and
// recorded in the history; a probe the local policy switched off, a replayed one, one for
// another device, one with hostile parameters that a collector signed anyway, and one past
// the rate bound are refused with their reason and recorded too.

#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "agent/actions/history_command.hpp"
#include "agent/probes/probe_catalog.hpp"
#include "agent/probes/probe_runner.hpp"
#include "agent/probes/probe_verifier.hpp"
#include "agent/state/agent_state.hpp"
#include "shared/pki/keys.hpp"
#include "shared/pki/secrets.hpp"
#include "shared/probes/probe_params.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;
using namespace std::chrono_literals;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Rig {
  testing::TempDir dir;
  pki::PKeyPtr key = std::move(*pki::generate_ed25519_key());
  std::unique_ptr<ActionJournal> journal;
  std::vector<v1::ProbeResult> results;

  Rig() { journal = std::move(*ActionJournal::open(dir.path() / "actions.db")); }

  v1::ProbePayload payload(const std::string& id, const std::string& probe = "resolve") {
    v1::ProbePayload p;
    p.set_probe_run_id(id);
    p.set_device_id("dev-1");
    p.set_probe(probe);
    if (probe == "resolve") p.mutable_resolve()->set_name("localhost");
    if (probe == "listening") p.mutable_listening();
    if (probe == "disk_usage") {
      p.mutable_disk_usage()->set_path(dir.path().string());
      p.mutable_disk_usage()->set_max_depth(1);
      p.mutable_disk_usage()->set_top(5);
    }
    p.set_requested_by("tech");
    p.set_ticket_id("7");
    p.set_issued_at_unix_ms(now_ms());
    p.set_expires_at_unix_ms(now_ms() + 60'000);
    p.set_nonce(pki::random_bytes(32));
    p.set_time_budget_ms(5000);
    p.set_output_budget_bytes(8192);
    return p;
  }

  v1::SignedProbe sign(const v1::ProbePayload& p) {
    return *protocol::sign_probe(key.get(), "kid", p);
  }

  std::unique_ptr<ProbeRunner> runner(boost::asio::io_context& ioc, ProbePolicy policy = {}) {
    ProbeRunnerSettings settings;
    settings.pinned_key_pem = *pki::public_key_to_pem(key.get());
    settings.device_id = "dev-1";
    settings.policy = std::move(policy);
    return std::make_unique<ProbeRunner>(ioc, *journal, settings, [this](v1::AgentMessage m) {
      results.push_back(m.probe_result());
    });
  }

  void run_until_results(boost::asio::io_context& ioc, std::size_t count) {
    auto guard = boost::asio::make_work_guard(ioc);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (results.size() < count && std::chrono::steady_clock::now() < deadline) {
      ioc.run_for(20ms);
      ioc.restart();
    }
    REQUIRE(results.size() == count);
  }

  std::vector<nlohmann::json> history() {
    std::vector<nlohmann::json> out;
    auto entries = journal->entries();
    REQUIRE(entries);
    for (auto& e : *entries) out.push_back(e.data);
    return out;
  }
};

}  // namespace

TEST_CASE("probe runner: a signed probe runs, is answered and is in the history",
          "[probes][runner]") {
  Rig rig;
  boost::asio::io_context ioc;
  auto runner = rig.runner(ioc);
  runner->handle(rig.sign(rig.payload("p-1")));
  rig.run_until_results(ioc, 1);
  const auto& r = rig.results[0];
  CHECK(r.probe_run_id() == "p-1");
  CHECK(r.status() == v1::PROBE_COMPLETED);
  CHECK(r.has_resolve());
  CHECK(r.history_head_sha256().size() == 32);
  auto history = rig.history();
  REQUIRE(history.size() == 1);
  CHECK(history[0]["kind"] == "probe");
  CHECK(history[0]["action_id"] == "probe:resolve");
  CHECK(history[0]["target"] == "localhost");
  CHECK(history[0]["outcome"] == "completed");
  CHECK(history[0]["requested_by"] == "tech");
}

TEST_CASE("policy: a probe the local policy switched off is refused and recorded",
          "[probes][runner][policy]") {
  Rig rig;
  boost::asio::io_context ioc;
  ProbePolicy policy;
  policy.disabled = {"disk_usage"};
  auto runner = rig.runner(ioc, policy);
  runner->handle(rig.sign(rig.payload("p-off", "disk_usage")));
  rig.run_until_results(ioc, 1);
  CHECK(rig.results[0].status() == v1::PROBE_REFUSED);
  CHECK_THAT(rig.results[0].reason(), Catch::Contains("local policy"));
  CHECK_FALSE(rig.results[0].has_disk_usage());
  auto history = rig.history();
  REQUIRE(history.size() == 1);
  CHECK(history[0]["outcome"] == "refused");
  CHECK(history[0]["action_id"] == "probe:disk_usage");
  // Another probe still runs.
  runner->handle(rig.sign(rig.payload("p-on", "resolve")));
  rig.run_until_results(ioc, 2);
  CHECK(rig.results[1].status() == v1::PROBE_COMPLETED);
}

TEST_CASE("probe runner: replayed, foreign and unsigned probes are refused",
          "[probes][runner][hostile]") {
  Rig rig;
  boost::asio::io_context ioc;
  auto runner = rig.runner(ioc);
  const auto signed_probe = rig.sign(rig.payload("p-replay"));
  runner->handle(signed_probe);
  runner->handle(signed_probe);
  auto other = rig.payload("p-other");
  other.set_device_id("dev-2");
  runner->handle(rig.sign(other));
  auto forged = rig.sign(rig.payload("p-forged"));
  forged.set_signature(std::string(64, 'x'));
  runner->handle(forged);  // unreadable to this agent: recorded, not answered
  auto expired = rig.payload("p-expired");
  expired.set_issued_at_unix_ms(now_ms() - 600'000);
  expired.set_expires_at_unix_ms(now_ms() - 300'000);
  runner->handle(rig.sign(expired));
  rig.run_until_results(ioc, 4);
  std::map<std::string, v1::ProbeResult> by_reason;
  int completed = 0;
  for (const auto& r : rig.results) {
    if (r.status() == v1::PROBE_COMPLETED) ++completed;
    if (r.status() == v1::PROBE_REFUSED) by_reason[r.probe_run_id() + ": " + r.reason()] = r;
  }
  CHECK(completed == 1);
  CHECK(by_reason.count("p-replay: replayed probe: nonce seen before") == 1);
  CHECK(by_reason.count("p-other: probe is for device dev-2, not this one") == 1);
  CHECK(by_reason.count("p-expired: probe expired") == 1);
  CHECK(rig.history().size() == 5);
}

TEST_CASE("hostile probe parameters signed by a collector are refused by the agent",
          "[probes][runner][hostile]") {
  Rig rig;
  boost::asio::io_context ioc;
  auto runner = rig.runner(ioc);
  auto sweep = rig.payload("p-sweep", "reach");
  sweep.clear_resolve();
  sweep.mutable_reach()->set_host("10.0.0.0/24");
  sweep.mutable_reach()->set_port(22);
  runner->handle(rig.sign(sweep));
  auto huge = rig.payload("p-huge");
  huge.set_time_budget_ms(3'600'000);
  runner->handle(rig.sign(huge));
  rig.run_until_results(ioc, 2);
  for (const auto& r : rig.results) {
    CHECK(r.status() == v1::PROBE_REFUSED);
    CHECK_FALSE(r.has_reach());
  }
  CHECK_THAT(rig.results[0].reason(), Catch::Contains("host"));
  CHECK_THAT(rig.results[1].reason(), Catch::Contains("time_budget_ms"));
}

TEST_CASE("probe runner: probes past the device's rate bound are refused", "[probes][runner]") {
  Rig rig;
  boost::asio::io_context ioc;
  ProbePolicy policy;
  policy.per_minute = 2;
  auto runner = rig.runner(ioc, policy);
  for (int i = 0; i < 3; ++i) runner->handle(rig.sign(rig.payload("p-" + std::to_string(i))));
  rig.run_until_results(ioc, 3);
  int refused = 0;
  for (const auto& r : rig.results) {
    if (r.status() == v1::PROBE_REFUSED) {
      ++refused;
      CHECK_THAT(r.reason(), Catch::Contains("rate bound"));
    }
  }
  CHECK(refused == 1);
}

TEST_CASE("triage-agent history lists probe runs beside orders", "[probes][history]") {
  Rig rig;
  {
    boost::asio::io_context ioc;
    ProbePolicy policy;
    policy.disabled = {"listening"};
    auto runner = rig.runner(ioc, policy);
    runner->handle(rig.sign(rig.payload("p-ok")));
    runner->handle(rig.sign(rig.payload("p-no", "listening")));
    rig.run_until_results(ioc, 2);
  }
  rig.journal.reset();
  StateDir state(rig.dir.path());
  std::ostringstream out, err;
  CHECK(run_history(state, false, out, err) == 0);
  CHECK_THAT(out.str(), Catch::Contains("probe:resolve"));
  CHECK_THAT(out.str(), Catch::Contains("localhost"));
  CHECK_THAT(out.str(), Catch::Contains("probe:listening"));
  CHECK_THAT(out.str(), Catch::Contains("local policy"));
  CHECK_THAT(out.str(), Catch::Contains("history chain: intact (2 entries)"));
}

TEST_CASE("the agent's probe catalog runs every probe the shared rules name", "[probes]") {
  for (auto name : probes::probe_names()) {
    INFO(name);
    CHECK(find_probe(name) != nullptr);
  }
  CHECK(find_probe("portscan") == nullptr);
}
