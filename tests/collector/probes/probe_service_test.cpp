// ProbeService against a real SQLite store: who may run probes, parameters checked on the
// collector (hostile ones refused, nothing sent), the signed request the agent receives, the
// answer stored in the audit log and noted on the ticket, answers from another device ignored,
// the rate bound per device, and runs nobody answered.

#include <catch2/catch.hpp>

#include <algorithm>

#include "collector/audit/audit_log.hpp"
#include "collector/probes/probe_service.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "shared/pki/keys.hpp"
#include "shared/protocol/signed_messages.hpp"
#include "tests/collector/actions/order_test_support.hpp"
#include "tests/support/recorded_agent_channel.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

struct World {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  testing::RecordedAgentChannel agents;
  pki::PKeyPtr key;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<ProbeService> probes;
  std::int64_t ticket_id = 0;
  TimePoint now = std::chrono::system_clock::now();

  explicit World(ProbeSettings settings = {}) {
    store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
    key = std::move(*pki::generate_ed25519_key());
    audit = std::make_unique<AuditLog>(*store);
    probes = std::make_unique<ProbeService>(*store, agents, *audit, key.get(), "kid", settings);
    EnrollmentToken token;
    token.id = "t";
    token.token_hash = "h";
    token.created_at = now;
    token.expires_at = now + 1h;
    token.max_uses = 5;
    REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().insert_enrollment_token(token); }));
    for (const char* id : {"dev-1", "dev-2"}) {
      Device d;
      d.id = id;
      d.certificate_sha256 = std::string(64, 'a');
      d.enrolled_at = now;
      REQUIRE(store->write([&](WriteTx& tx) { return tx.devices().enroll_device("h", d, now); }));
    }
    Ticket t;
    t.title = "no internet";
    t.created_at = t.updated_at = t.response_due_at = t.due_at = now;
    t.device_ids = {"dev-1"};
    REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(t, {}); }));
    ticket_id = t.id;
    agents.set_online("dev-1");
  }

  Result<ProbeRun> reach(const nlohmann::json& params, Role role = Role::kTechnician,
                         std::optional<std::int64_t> ticket = std::nullopt,
                         const std::string& device = "dev-1") {
    ProbeRequest r;
    r.device_id = device;
    r.probe = "reach";
    r.params = params;
    r.ticket_id = ticket;
    r.source = "10.0.0.9:5";
    return probes->request(r, testing::staff_user("tom", role), now);
  }

  v1::ProbePayload sent_payload(std::size_t index = 0) {
    auto sent = agents.sent_to("dev-1");
    REQUIRE(sent.size() > index);
    REQUIRE(sent[index].has_probe());
    const auto& probe = sent[index].probe();
    REQUIRE(protocol::verify_payload(key.get(), protocol::kProbeContext, probe.payload(),
                                     probe.signature()));
    // Never valid as an order.
    CHECK_FALSE(protocol::verify_payload(key.get(), protocol::kOrderContext, probe.payload(),
                                         probe.signature()));
    v1::ProbePayload p;
    REQUIRE(p.ParseFromString(probe.payload()));
    return p;
  }
};

}  // namespace

TEST_CASE("probe service: a technician's probe is signed, sent, answered and stored") {
  World w;
  auto run = w.reach({{"host", "vpn.example.com"}, {"port", 443}, {"tls", true}}, Role::kTechnician,
                     w.ticket_id);
  REQUIRE(run);
  CHECK(run->state == "sent");
  CHECK(run->target == "vpn.example.com:443 tls");
  auto p = w.sent_payload();
  CHECK(p.probe_run_id() == run->id);
  CHECK(p.device_id() == "dev-1");
  CHECK(p.reach().host() == "vpn.example.com");
  CHECK(p.reach().port() == 443);
  CHECK(p.reach().tls());
  CHECK(p.nonce().size() == 32);
  CHECK(p.requested_by() == "tom");
  CHECK(p.time_budget_ms() == 10'000);
  CHECK(p.expires_at_unix_ms() > p.issued_at_unix_ms());

  v1::ProbeResult result;
  result.set_probe_run_id(run->id);
  result.set_status(v1::PROBE_COMPLETED);
  result.set_duration_ms(42);
  result.mutable_reach()->set_connected(true);
  result.mutable_reach()->set_address("192.0.2.7");
  auto* cert = result.mutable_reach()->mutable_tls()->add_chain();
  cert->set_subject("CN=vpn.example.com");
  cert->set_expired(true);
  REQUIRE(w.probes->record_result("dev-1", result, w.now));

  auto stored = w.probes->get(run->id, w.now);
  REQUIRE(stored);
  CHECK(stored->state == "completed");
  CHECK(stored->answer["reach"]["address"] == "192.0.2.7");
  CHECK(stored->answer["reach"]["tls"]["chain"][0]["expired"] == true);
  CHECK(probe_run_json(*stored)["result"]["duration_ms"] == "42");

  auto events = w.store->read().tickets().ticket_events(w.ticket_id);
  REQUIRE(events);
  std::vector<std::string> kinds;
  for (const auto& e : *events) kinds.push_back(e.kind);
  CHECK(std::count(kinds.begin(), kinds.end(), "probe_requested") == 1);
  CHECK(std::count(kinds.begin(), kinds.end(), "probe_run") == 1);
  AuditFilter filter;
  filter.target = "probe:" + run->id;
  auto audit = w.store->read().audit().list_audit(filter);
  REQUIRE(audit);
  REQUIRE(audit->items.size() == 2);
  CHECK(audit->items[0].type == "probe.completed");
  CHECK(audit->items[1].type == "probe.requested");
  CHECK(audit->items[1].actor == "tom");
}

TEST_CASE("hostile probe parameters are refused on the collector and nothing is sent",
          "[hostile]") {
  World w;
  const auto params =
      GENERATE(nlohmann::json{{"host", "10.0.0.0/24"}, {"port", 22}},
               nlohmann::json{{"host", "10.0.0.1-254"}, {"port", 22}},
               nlohmann::json{{"host", "a.example.com,b.example.com"}, {"port", 22}},
               nlohmann::json{{"host", "example.com"}, {"port", "1-1024"}},
               nlohmann::json{{"host", "example.com"}, {"port", 0}},
               nlohmann::json{{"host", "example.com"}, {"port", 70000}},
               nlohmann::json{{"host", "255.255.255.255"}, {"port", 9}},
               nlohmann::json{{"host", "224.0.0.251"}, {"port", 5353}},
               nlohmann::json{{"host", "example.com"}, {"port", 22}, {"ports", "1-65535"}},
               nlohmann::json{{"host", "example.com"}});
  CAPTURE(params.dump());
  auto run = w.reach(params);
  REQUIRE_FALSE(run);
  CHECK(run.error().code == ErrorCode::kInvalid);
  CHECK(w.agents.sent_to("dev-1").empty());
}

TEST_CASE("probe service: viewers run probes only where the configuration says so") {
  {
    World w;
    auto run = w.reach({{"host", "example.com"}, {"port", 443}}, Role::kViewer);
    REQUIRE_FALSE(run);
    CHECK(run.error().code == ErrorCode::kDenied);
  }
  ProbeSettings settings;
  settings.viewers_may_run = true;
  World w(settings);
  CHECK(w.reach({{"host", "example.com"}, {"port", 443}}, Role::kViewer));
}

TEST_CASE("probe service: an offline device, an unknown device and an unlinked ticket") {
  World w;
  auto offline =
      w.reach({{"host", "example.com"}, {"port", 443}}, Role::kTechnician, std::nullopt, "dev-2");
  REQUIRE_FALSE(offline);
  CHECK(offline.error().code == ErrorCode::kConflict);
  auto unknown =
      w.reach({{"host", "example.com"}, {"port", 443}}, Role::kTechnician, std::nullopt, "dev-9");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  w.agents.set_online("dev-2");
  auto unlinked =
      w.reach({{"host", "example.com"}, {"port", 443}}, Role::kTechnician, w.ticket_id, "dev-2");
  REQUIRE_FALSE(unlinked);
  CHECK(unlinked.error().code == ErrorCode::kConflict);
}

TEST_CASE("probe service: an answer from another device is ignored", "[hostile]") {
  World w;
  auto run = w.reach({{"host", "example.com"}, {"port", 443}});
  REQUIRE(run);
  v1::ProbeResult forged;
  forged.set_probe_run_id(run->id);
  forged.set_status(v1::PROBE_COMPLETED);
  REQUIRE(w.probes->record_result("dev-2", forged, w.now));
  CHECK(w.probes->get(run->id, w.now)->state == "sent");
}

TEST_CASE("probe service: the rate bound per device") {
  ProbeSettings settings;
  settings.per_device_per_minute = 2;
  World w(settings);
  CHECK(w.reach({{"host", "example.com"}, {"port", 443}}));
  CHECK(w.reach({{"host", "example.com"}, {"port", 443}}));
  auto third = w.reach({{"host", "example.com"}, {"port", 443}});
  REQUIRE_FALSE(third);
  CHECK(third.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(third.error().message, Catch::Contains("rate bound"));
}

TEST_CASE("probe service: a run nobody answered before it expired is unanswered") {
  World w;
  auto run = w.reach({{"host", "example.com"}, {"port", 443}});
  REQUIRE(run);
  CHECK(w.probes->get(run->id, w.now + 2min)->state == "unanswered");
  CHECK_FALSE(w.probes->get("p-nothing", w.now));
}

TEST_CASE("probe service: a device's recent runs, newest first, answered or not, its own only") {
  World w;
  w.agents.set_online("dev-2");
  auto first = w.reach({{"host", "a.example.com"}, {"port", 443}});
  REQUIRE(first);
  w.now += 1s;
  auto other =
      w.reach({{"host", "b.example.com"}, {"port", 443}}, Role::kTechnician, std::nullopt, "dev-2");
  REQUIRE(other);
  w.now += 1s;
  auto second = w.reach({{"host", "c.example.com"}, {"port", 443}});
  REQUIRE(second);
  v1::ProbeResult result;
  result.set_probe_run_id(first->id);
  result.set_status(v1::PROBE_COMPLETED);
  result.mutable_reach()->set_connected(true);
  REQUIRE(w.probes->record_result("dev-1", result, w.now));

  auto runs = w.probes->recent_runs("dev-1", 10, w.now);
  REQUIRE(runs);
  REQUIRE(runs->size() == 2);
  CHECK((*runs)[0].id == second->id);
  CHECK((*runs)[0].state == "sent");
  CHECK((*runs)[0].target == "c.example.com:443");
  CHECK((*runs)[1].id == first->id);
  CHECK((*runs)[1].state == "completed");
  CHECK((*runs)[1].requested_by == "tom");
  CHECK((*runs)[1].answer["reach"]["connected"] == true);

  auto one = w.probes->recent_runs("dev-1", 1, w.now);
  REQUIRE(one);
  REQUIRE(one->size() == 1);
  CHECK((*one)[0].id == second->id);
  auto later = w.probes->recent_runs("dev-1", 10, w.now + 2min);
  REQUIRE(later);
  CHECK((*later)[0].state == "unanswered");
  auto theirs = w.probes->recent_runs("dev-2", 10, w.now);
  REQUIRE(theirs);
  REQUIRE(theirs->size() == 1);
  CHECK((*theirs)[0].id == other->id);
  auto unknown = w.probes->recent_runs("dev-9", 10, w.now);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kNotFound);
}
