// OrderService against a real SQLite store: roles, approval by a second person, cancellation,
// the per-device queue bound, expiry, signed payloads, and results recorded on the ticket.

#include <catch2/catch.hpp>

#include <algorithm>

#include "collector/actions/order_service.hpp"
#include "collector/audit/audit_log.hpp"
#include "collector/integrations/ticket_event_planner.hpp"
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

const char* kEcho = R"(
id = "echo-test"
version = 1
title = "Echo"
argv = ["/bin/echo", "{text}"]
risk = "low"
[params.text]
type = "regex"
pattern = '^[a-z]{1,8}$'
max_length = 8
)";

const char* const kHigh = testing::kHighRiskAction;

User user(const std::string& name, Role role, UserKind kind = UserKind::kPerson) {
  return testing::staff_user(name, role, kind);
}

struct World {
  testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  testing::RecordedAgentChannel agents;
  pki::PKeyPtr key;
  std::optional<OrderSigner> signer;
  std::optional<ActionCatalog> catalog;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<OrderService> orders;
  std::int64_t ticket_id = 0;
  TimePoint now = std::chrono::system_clock::now();

  explicit World(OrderSettings settings = {}) {
    store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
    key = std::move(*pki::generate_ed25519_key());
    signer.emplace(std::move(*OrderSigner::create(key.get())));
    std::vector<ActionDefinition> defs;
    defs.push_back(std::move(*parse_action_definition(kEcho, "echo.toml")));
    defs.push_back(std::move(*parse_action_definition(kHigh, "high.toml")));
    catalog.emplace(std::move(defs));
    audit = std::make_unique<AuditLog>(*store);
    orders =
        std::make_unique<OrderService>(*store, agents, *catalog, *signer, settings, audit.get());
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
    t.title = "printer";
    t.created_at = t.updated_at = t.response_due_at = t.due_at = now;
    t.device_ids = {"dev-1"};
    REQUIRE(store->write([&](WriteTx& tx) { return tx.tickets().create_ticket(t, {}); }));
    ticket_id = t.id;
  }

  Result<Order> request(const std::string& action, nlohmann::json params, const User& u) {
    return orders->request(OrderRequest{ticket_id, action, std::move(params), "", "10.0.0.9:5", ""},
                           u, now);
  }

  /// The audit records of `order_id`, oldest first.
  std::vector<AuditRecord> audit_of(const std::string& order_id) {
    AuditFilter filter;
    filter.target = "order:" + order_id;
    auto page = store->read().audit().list_audit(filter);
    REQUIRE(page);
    std::vector<AuditRecord> out(page->items.rbegin(), page->items.rend());
    return out;
  }
};

std::vector<std::string> types_of(const std::vector<AuditRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.type);
  return out;
}

nlohmann::json details_of(const AuditRecord& r) { return nlohmann::json::parse(r.details); }

v1::OrderPayload verified_payload(const World& w, const Order& order) {
  v1::SignedOrder signed_order;
  REQUIRE(signed_order.ParseFromString(order.signed_order));
  REQUIRE(protocol::verify_payload(w.key.get(), protocol::kOrderContext, signed_order.payload(),
                                   signed_order.signature()));
  // A signature over the bare payload (no context) must not verify.
  CHECK_FALSE(protocol::verify_payload(w.key.get(), protocol::kCatalogContext,
                                       signed_order.payload(), signed_order.signature()));
  v1::OrderPayload p;
  REQUIRE(p.ParseFromString(signed_order.payload()));
  return p;
}

}  // namespace

TEST_CASE("a technician's low-risk order is queued, signed and described on the ticket") {
  World w;
  auto order = w.request("echo-test", {{"text", "hello"}}, user("tom", Role::kTechnician));
  REQUIRE(order);
  CHECK(order->state == OrderState::kQueued);  // device offline: waits in its queue
  CHECK(order->device_id == "dev-1");
  CHECK(order->argv == std::vector<std::string>{"/bin/echo", "hello"});
  auto p = verified_payload(w, *order);
  CHECK(p.order_id() == order->id);
  CHECK(p.device_id() == "dev-1");
  CHECK(p.action_id() == "echo-test");
  CHECK(p.definition_sha256() == w.catalog->find("echo-test")->sha256_raw);
  CHECK(p.nonce().size() >= 16);
  CHECK(p.requested_by() == "tom");
  CHECK(p.ticket_id() == std::to_string(w.ticket_id));
  CHECK(p.expires_at_unix_ms() > p.issued_at_unix_ms());
  CHECK(p.risk() == v1::RISK_LOW);
  auto events = w.store->read().tickets().ticket_events(w.ticket_id);
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK(events->front().kind == "action_requested");
  CHECK(events->front().visibility == Visibility::kInternal);
  CHECK(events->front().data["argv"][1] == "hello");
}

TEST_CASE("orders are refused for bad input and insufficient roles") {
  World w;
  auto viewer = w.request("echo-test", {{"text", "hi"}}, user("v", Role::kViewer));
  REQUIRE_FALSE(viewer);
  CHECK(viewer.error().code == ErrorCode::kDenied);
  auto high = w.request("high-test", {}, user("tom", Role::kTechnician));
  REQUIRE_FALSE(high);
  CHECK(high.error().code == ErrorCode::kDenied);
  auto unknown = w.request("rm-rf", {}, user("tom", Role::kTechnician));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kInvalid);
  CHECK_THAT(unknown.error().message, Catch::Contains("`action`"));
  auto injected = w.request("echo-test", {{"text", "a; id"}}, user("tom", Role::kTechnician));
  REQUIRE_FALSE(injected);
  CHECK_THAT(injected.error().message, Catch::Contains("`text`"));
  auto other_device =
      w.orders->request(OrderRequest{w.ticket_id, "echo-test", {{"text", "hi"}}, "dev-2", "", ""},
                        user("tom", Role::kTechnician), w.now);
  REQUIRE_FALSE(other_device);
  CHECK_THAT(other_device.error().message, Catch::Contains("`device_id`"));
  auto no_ticket = w.orders->request(OrderRequest{999, "echo-test", {{"text", "hi"}}, "", "", ""},
                                     user("tom", Role::kTechnician), w.now);
  REQUIRE_FALSE(no_ticket);
  CHECK(no_ticket.error().code == ErrorCode::kNotFound);
  auto none = w.store->read().orders().list_orders(OrderQuery{});
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("an action of another platform than the device's is refused before it is signed") {
  World w;
  auto hello = [&](const char* platform) {
    DeviceHelloFacts facts;
    facts.hostname = "lt-sales-17";
    facts.platform = platform;
    REQUIRE(w.store->write(
        [&](WriteTx& tx) { return tx.devices().record_hello("dev-1", facts, w.now); }));
  };
  const auto tom = user("tom", Role::kTechnician);
  // A device that has not named its platform (an older agent): the agent's own check decides.
  CHECK(w.request("echo-test", {{"text", "hi"}}, tom));
  hello("windows");
  auto refused = w.request("echo-test", {{"text", "hi"}}, tom);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kConflict);
  CHECK(refused.error().message == "`echo-test` is a linux action and device dev-1 runs windows");
  hello("linux");
  CHECK(w.request("echo-test", {{"text", "hi"}}, tom));
  auto orders = w.store->read().orders().list_orders(OrderQuery{});
  REQUIRE(orders);
  CHECK(orders->size() == 2);
}

TEST_CASE("a high-risk order waits for a second senior person") {
  World w;
  const auto alice = user("alice", Role::kSenior);
  auto order = w.request("high-test", {}, alice);
  REQUIRE(order);
  CHECK(order->state == OrderState::kAwaitingApproval);
  CHECK(order->signed_order.empty());  // nothing signed before approval

  auto own = w.orders->approve(order->id, alice, w.now);
  REQUIRE_FALSE(own);
  CHECK(own.error().code == ErrorCode::kDenied);
  auto tech = w.orders->approve(order->id, user("tom", Role::kTechnician), w.now);
  REQUIRE_FALSE(tech);
  CHECK(tech.error().code == ErrorCode::kDenied);

  auto approved = w.orders->approve(order->id, user("bob", Role::kSenior), w.now);
  REQUIRE(approved);
  CHECK(approved->state == OrderState::kQueued);
  CHECK(approved->approved_by == "bob");
  auto p = verified_payload(w, *approved);
  CHECK(p.approved_by() == "bob");
  CHECK(p.requested_by() == "alice");
  auto again = w.orders->approve(order->id, user("carol", Role::kSenior), w.now);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kConflict);
}

TEST_CASE("rejection and cancellation end an order before it is sent") {
  World w;
  auto order = w.request("high-test", {}, user("alice", Role::kSenior));
  REQUIRE(order);
  CHECK_FALSE(w.orders->reject(order->id, user("alice", Role::kSenior), "no", w.now));
  auto rejected = w.orders->reject(order->id, user("bob", Role::kSenior), "not now", w.now);
  REQUIRE(rejected);
  CHECK(rejected->state == OrderState::kCancelled);
  CHECK_THAT(rejected->reason, Catch::Contains("rejected by bob"));

  auto queued = w.request("echo-test", {{"text", "hi"}}, user("tom", Role::kTechnician));
  REQUIRE(queued);
  auto stranger = w.orders->cancel(queued->id, user("eve", Role::kTechnician), "", w.now);
  REQUIRE_FALSE(stranger);
  CHECK(stranger.error().code == ErrorCode::kDenied);
  auto cancelled = w.orders->cancel(queued->id, user("tom", Role::kTechnician), "typo", w.now);
  REQUIRE(cancelled);
  CHECK(cancelled->state == OrderState::kCancelled);
}

TEST_CASE("a device's queue is bounded and queued orders expire visibly") {
  OrderSettings settings;
  settings.max_queued_per_device = 2;
  settings.order_ttl = 60s;
  World w(settings);
  const auto tom = user("tom", Role::kTechnician);
  REQUIRE(w.request("echo-test", {{"text", "a"}}, tom));
  REQUIRE(w.request("echo-test", {{"text", "b"}}, tom));
  auto third = w.request("echo-test", {{"text", "c"}}, tom);
  REQUIRE_FALSE(third);
  CHECK(third.error().code == ErrorCode::kConflict);

  auto none = w.orders->sweep(w.now + 30s);
  REQUIRE(none);
  CHECK(*none == 0);
  auto expired = w.orders->sweep(w.now + 61s);
  REQUIRE(expired);
  CHECK(*expired == 2);
  auto orders = w.store->read().orders().list_orders(OrderQuery{});
  REQUIRE(orders);
  for (const auto& o : *orders) {
    CHECK(o.state == OrderState::kExpired);
    CHECK_FALSE(o.reason.empty());
  }
  auto events = w.store->read().tickets().ticket_events(w.ticket_id);
  REQUIRE(events);
  CHECK(std::count_if(events->begin(), events->end(),
                      [](const auto& e) { return e.kind == "action_expired"; }) == 2);
}

TEST_CASE(
    "a result is recorded once, on the ticket with a time entry, other devices' are ignored") {
  World w;
  auto order = w.request("echo-test", {{"text", "hello"}}, user("tom", Role::kTechnician));
  REQUIRE(order);
  // Sent (the dispatch to an online device does this).
  Order sent = *order;
  sent.state = OrderState::kSent;
  REQUIRE(*w.store->write(
      [&](WriteTx& tx) { return tx.orders().update_order(sent, {OrderState::kQueued}, {}); }));

  v1::OrderResult result;
  result.set_order_id(order->id);
  result.set_state(v1::SUCCEEDED);
  result.set_exit_code(0);
  result.set_duration_ms(1500);
  result.set_output_excerpt("hello\n");
  // A device reporting on an order that is not its own changes nothing.
  REQUIRE(w.orders->record_result("dev-2", result));
  CHECK(w.store->read().orders().find_order(order->id).value()->state == OrderState::kSent);

  v1::OrderOutput chunk;
  chunk.set_order_id(order->id);
  chunk.set_stream(v1::OrderOutput::STDOUT);
  chunk.set_data("hello\n");
  CHECK_FALSE(w.store->read().orders().find_order(order->id).value()->first_output_at);
  const auto before_output = std::chrono::system_clock::now();
  REQUIRE(w.orders->record_output("dev-1", chunk));
  const auto first_output_at =
      w.store->read().orders().find_order(order->id).value()->first_output_at;
  REQUIRE(first_output_at);
  CHECK(*first_output_at >= std::chrono::time_point_cast<std::chrono::milliseconds>(before_output));
  CHECK(*first_output_at <= std::chrono::system_clock::now());
  REQUIRE(w.orders->record_output("dev-1", chunk));  // resent: stored once
  chunk.set_chunk_index(1);
  REQUIRE(w.orders->record_output("dev-1", chunk));  // a later chunk keeps the first's time
  CHECK(w.store->read().orders().find_order(order->id).value()->first_output_at == first_output_at);
  REQUIRE(w.orders->record_result("dev-1", result));
  REQUIRE(w.orders->record_result("dev-1", result));  // resent: recorded once
  auto view = w.orders->get(order->id);
  REQUIRE(view);
  CHECK(view->order.state == OrderState::kSucceeded);
  CHECK(view->order.result["exit_code"] == 0);
  REQUIRE(view->output.size() == 2);
  CHECK(view->output[0].data == "hello\n");
  auto events = w.store->read().tickets().ticket_events(w.ticket_id);
  REQUIRE(events);
  int runs = 0, time_entries = 0;
  for (const auto& e : *events) {
    if (e.kind == "action_run") {
      ++runs;
      CHECK(e.data["output_excerpt"] == "hello\n");
      CHECK(e.data["requested_by"] == "tom");
      CHECK(e.data["duration_ms"] == 1500);
    }
    if (e.kind == "time_entry") {
      ++time_entries;
      CHECK(e.actor == "tom");
      CHECK(e.data["minutes"] == 1);
    }
  }
  CHECK(runs == 1);
  CHECK(time_entries == 1);
}

TEST_CASE("a refusal from the agent ends the order with its reason") {
  World w;
  auto order = w.request("echo-test", {{"text", "hello"}}, user("tom", Role::kTechnician));
  REQUIRE(order);
  Order sent = *order;
  sent.state = OrderState::kSent;
  REQUIRE(*w.store->write(
      [&](WriteTx& tx) { return tx.orders().update_order(sent, {OrderState::kQueued}, {}); }));
  v1::OrderResult refused;
  refused.set_order_id(order->id);
  refused.set_state(v1::REFUSED);
  refused.set_reason("local policy does not allow action echo-test");
  REQUIRE(w.orders->record_result("dev-1", refused));
  auto stored = w.store->read().orders().find_order(order->id).value();
  CHECK(stored->state == OrderState::kRefused);
  CHECK(stored->reason == "local policy does not allow action echo-test");
}

TEST_CASE("an order's timeline events enqueue what they cause, in their transaction") {
  World w;
  TicketEventPlanner planner;
  w.orders = std::make_unique<OrderService>(*w.store, w.agents, *w.catalog, *w.signer,
                                            OrderSettings{}, w.audit.get(), &planner);
  IntegrationTarget target;
  target.connector = "webhook";
  target.url = "https://a.example/";
  target.event_types = {"ticket.action_result"};
  target.internal = true;
  target.created_at = target.updated_at = w.now;
  const auto target_id =
      w.store->write([&](WriteTx& tx) { return tx.outbox().insert_integration_target(target); })
          .value();
  auto order = w.request("echo-test", {{"text", "hello"}}, user("tom", Role::kTechnician));
  REQUIRE(order);
  Order sent = *order;
  sent.state = OrderState::kSent;
  REQUIRE(*w.store->write(
      [&](WriteTx& tx) { return tx.orders().update_order(sent, {OrderState::kQueued}, {}); }));
  v1::OrderResult refused;
  refused.set_order_id(order->id);
  refused.set_state(v1::REFUSED);
  refused.set_reason("local policy does not allow action echo-test");
  REQUIRE(w.orders->record_result("dev-1", refused));
  OutboxFilter filter;
  filter.target_id = target_id;
  filter.limit = 10;
  auto log = w.store->read().outbox().list_outbox(filter).value().items;
  REQUIRE(log.size() == 1);  // the request causes nothing this target wants
  CHECK(log[0].event_type == "ticket.action_result");
  CHECK(log[0].ticket_id == w.ticket_id);
  auto body = nlohmann::json::parse(log[0].payload);
  CHECK(body["data"]["kind"] == "action_refused");
  CHECK(body["data"]["order_id"] == order->id);
}

TEST_CASE("every order transition is audited with its actor, target and action hash") {
  World w;
  const auto alice = user("alice", Role::kSenior);
  auto order = w.request("high-test", {}, alice);
  REQUIRE(order);
  REQUIRE_FALSE(w.orders->approve(order->id, alice, w.now));  // refused: nothing audited
  REQUIRE(w.orders->approve(order->id, user("bob", Role::kSenior), w.now, "10.0.0.7:1"));

  auto records = w.audit_of(order->id);
  REQUIRE(types_of(records) == std::vector<std::string>{"order.requested", "order.approved"});
  CHECK(records[0].actor == "alice");
  CHECK(records[0].actor_kind == "user");
  CHECK(records[0].source == "10.0.0.9:5");
  auto requested = details_of(records[0]);
  CHECK(requested["ticket_id"] == w.ticket_id);
  CHECK(requested["device_id"] == "dev-1");
  CHECK(requested["action"] == "high-test");
  CHECK(requested["definition_sha256"] == w.catalog->find("high-test")->sha256);
  CHECK(requested["state"] == "awaiting_approval");
  CHECK(records[1].actor == "bob");
  CHECK(records[1].source == "10.0.0.7:1");
  CHECK(details_of(records[1])["from_state"] == "awaiting_approval");
  CHECK(details_of(records[1])["approved_by"] == "bob");

  // Online now: the dispatch sends it, audited as the collector's act.
  w.agents.set_online("dev-1");
  w.orders->dispatch("dev-1");
  CHECK(w.agents.sent_to("dev-1").size() == 1);
  records = w.audit_of(order->id);
  REQUIRE(records.size() == 3);
  CHECK(records[2].type == "order.sent");
  CHECK(records[2].actor == "system");
  CHECK(records[2].actor_kind == "system");

  v1::OrderResult result;
  result.set_order_id(order->id);
  result.set_state(v1::SUCCEEDED);
  result.set_exit_code(3);
  result.set_duration_ms(1200);
  result.mutable_post_check()->set_ran(true);
  result.mutable_post_check()->set_passed(false);
  result.mutable_post_check()->set_output("inactive");
  REQUIRE(w.orders->record_result("dev-1", result));
  REQUIRE(w.orders->record_result("dev-1", result));  // resent: audited once
  records = w.audit_of(order->id);
  REQUIRE(records.size() == 4);
  CHECK(records[3].type == "order.failed");
  CHECK(records[3].actor == "dev-1");
  CHECK(records[3].actor_kind == "device");
  CHECK(records[3].outcome == "failure");
  auto failed = details_of(records[3]);
  CHECK(failed["from_state"] == "sent");
  CHECK(failed["result"]["exit_code"] == 3);
  CHECK(failed["result"]["duration_ms"] == 1200);
  CHECK(failed["result"]["post_check"]["passed"] == false);
  CHECK_FALSE(failed["result"]["post_check"].contains("output"));
}

TEST_CASE("rejections, cancellations, refusals, successes and expiries are audited") {
  OrderSettings settings;
  settings.order_ttl = 60s;
  World w(settings);
  const auto tom = user("tom", Role::kTechnician);

  auto high = w.request("high-test", {}, user("alice", Role::kSenior));
  REQUIRE(high);
  REQUIRE(w.orders->reject(high->id, user("bob", Role::kSenior), "not now", w.now));
  auto rejected = w.audit_of(high->id);
  REQUIRE(types_of(rejected) == std::vector<std::string>{"order.requested", "order.rejected"});
  CHECK(details_of(rejected[1])["reason"] == "rejected by bob: not now");

  auto cancelled = w.request("echo-test", {{"text", "a"}}, tom);
  REQUIRE(cancelled);
  REQUIRE(w.orders->cancel(cancelled->id, tom, "typo", w.now));
  CHECK(types_of(w.audit_of(cancelled->id)) ==
        std::vector<std::string>{"order.requested", "order.cancelled"});

  auto refused = w.request("echo-test", {{"text", "b"}}, tom);
  auto succeeded = w.request("echo-test", {{"text", "c"}}, tom);
  auto expired = w.request("echo-test", {{"text", "d"}}, tom);
  REQUIRE((refused && succeeded && expired));
  for (const auto* o : {&*refused, &*succeeded}) {
    Order sent = *o;
    sent.state = OrderState::kSent;
    REQUIRE(*w.store->write(
        [&](WriteTx& tx) { return tx.orders().update_order(sent, {OrderState::kQueued}, {}); }));
  }
  v1::OrderResult refusal;
  refusal.set_order_id(refused->id);
  refusal.set_state(v1::REFUSED);
  refusal.set_reason("the definition hash is not in the signed catalog");
  REQUIRE(w.orders->record_result("dev-1", refusal));
  auto refusal_records = w.audit_of(refused->id);
  REQUIRE(refusal_records.size() == 2);
  CHECK(refusal_records[1].type == "order.refused");
  CHECK(refusal_records[1].outcome == "denied");
  CHECK(details_of(refusal_records[1])["reason"] ==
        "the definition hash is not in the signed catalog");

  v1::OrderResult ok;
  ok.set_order_id(succeeded->id);
  ok.set_state(v1::SUCCEEDED);
  ok.set_duration_ms(10);
  REQUIRE(w.orders->record_result("dev-1", ok));
  auto ok_records = w.audit_of(succeeded->id);
  REQUIRE(ok_records.size() == 2);
  CHECK(ok_records[1].type == "order.succeeded");
  CHECK(ok_records[1].outcome == "success");
  CHECK(details_of(ok_records[1])["result"]["exit_code"] == 0);

  REQUIRE(w.orders->sweep(w.now + 61s));
  auto expiry = w.audit_of(expired->id);
  REQUIRE(expiry.size() == 2);
  CHECK(expiry[1].type == "order.expired");
  CHECK(expiry[1].actor == "system");
  CHECK_FALSE(details_of(expiry[1])["reason"].get<std::string>().empty());
}

TEST_CASE("a replaced catalog is used for new orders and pushed to connected agents") {
  World w;
  w.agents.set_online("dev-2");
  const auto before = w.orders->signed_catalog();
  std::vector<ActionDefinition> defs{w.catalog->all().front()};  // echo-test only
  REQUIRE(w.orders->replace_catalog(ActionCatalog(std::move(defs))));

  auto gone = w.request("high-test", {}, user("alice", Role::kSenior));
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == ErrorCode::kInvalid);
  CHECK(w.orders->catalog()->all().size() == 1);

  const auto sent = w.agents.sent_to("dev-2");
  REQUIRE(sent.size() == 1);
  const v1::CollectorMessage& pushed = sent[0];
  REQUIRE(pushed.has_catalog_update());
  CHECK(pushed.catalog_update().payload() == w.orders->signed_catalog().payload());
  CHECK(pushed.catalog_update().payload() != before.payload());
  REQUIRE(protocol::verify_payload(w.key.get(), protocol::kCatalogContext,
                                   pushed.catalog_update().payload(),
                                   pushed.catalog_update().signature()));
  v1::CatalogManifest manifest;
  REQUIRE(manifest.ParseFromString(pushed.catalog_update().payload()));
  REQUIRE(manifest.entries_size() == 1);
  CHECK(manifest.entries(0).action_id() == "echo-test");
}

TEST_CASE("a running order whose result never comes stops holding the device's queue") {
  OrderSettings settings;
  settings.max_queued_per_device = 1;
  World w(settings);
  const auto tom = user("tom", Role::kTechnician);
  auto order = w.request("echo-test", {{"text", "hung"}}, tom);
  REQUIRE(order);
  Order sent = *order;
  sent.state = OrderState::kSent;
  REQUIRE(*w.store->write(
      [&](WriteTx& tx) { return tx.orders().update_order(sent, {OrderState::kQueued}, {}); }));
  v1::OrderUpdate running;
  running.set_order_id(order->id);
  running.set_state(v1::RUNNING);
  REQUIRE(w.orders->record_update("dev-1", running));
  const auto started = w.store->read().orders().find_order(order->id).value()->updated_at;
  // The queue holds one: full while it runs.
  CHECK_FALSE(w.request("echo-test", {{"text", "next"}}, tom));

  // Within its timeout (60 s) plus the longest post-check and the skew: still running.
  REQUIRE(w.orders->sweep(started + 60s + 600s));
  CHECK(w.store->read().orders().find_order(order->id).value()->state == OrderState::kRunning);
  auto swept = w.orders->sweep(started + 60s + 600s + 121s);
  REQUIRE(swept);
  CHECK(*swept == 1);
  auto expired = w.store->read().orders().find_order(order->id).value();
  CHECK(expired->state == OrderState::kExpired);
  CHECK_THAT(expired->reason, Catch::Contains("no result"));
  auto records = w.audit_of(order->id);
  REQUIRE_FALSE(records.empty());
  CHECK(records.back().type == "order.expired");
  CHECK(details_of(records.back())["from_state"] == "running");
  // The device takes new orders again.
  CHECK(w.request("echo-test", {{"text", "next"}}, tom));

  // A result that arrives later (the agent's spool) is still recorded.
  v1::OrderResult late;
  late.set_order_id(order->id);
  late.set_state(v1::SUCCEEDED);
  late.set_duration_ms(1000);
  REQUIRE(w.orders->record_result("dev-1", late));
  CHECK(w.store->read().orders().find_order(order->id).value()->state == OrderState::kSucceeded);
}

namespace {

/// The order as the dispatch leaves it when the device is online.
Order mark(World& w, const Order& order, OrderState from, OrderState to) {
  Order moved = order;
  moved.state = to;
  REQUIRE(
      *w.store->write([&](WriteTx& tx) { return tx.orders().update_order(moved, {from}, {}); }));
  return *w.store->read().orders().find_order(order.id).value();
}

std::vector<std::string> event_kinds(World& w) {
  std::vector<std::string> kinds;
  const auto events = w.store->read().tickets().ticket_events(w.ticket_id).value();
  for (const auto& e : events) kinds.push_back(e.kind);
  return kinds;
}

}  // namespace

TEST_CASE("cancelling a sent order asks the agent, it is cancelled when the agent says so") {
  World w;
  auto order = w.request("echo-test", {{"text", "hello"}}, user("tom", Role::kTechnician));
  REQUIRE(order);
  auto running = mark(w, *order, OrderState::kQueued, OrderState::kRunning);

  auto stranger = w.orders->cancel(order->id, user("eve", Role::kTechnician), "", w.now);
  REQUIRE_FALSE(stranger);
  CHECK(stranger.error().code == ErrorCode::kDenied);
  // A senior who did not request it may cancel; the order keeps running until the agent stops it.
  auto requested = w.orders->cancel(order->id, user("sam", Role::kSenior), "wrong unit", w.now);
  REQUIRE(requested);
  CHECK(requested->state == OrderState::kRunning);
  CHECK(requested->cancel_requested_by == "sam");
  // A later writer that read the order before the request does not erase it.
  running.updated_at = w.now;
  REQUIRE(*w.store->write(
      [&](WriteTx& tx) { return tx.orders().update_order(running, {OrderState::kRunning}, {}); }));
  CHECK(w.store->read().orders().find_order(order->id).value()->cancel_requested_by == "sam");

  v1::OrderResult stopped;
  stopped.set_order_id(order->id);
  stopped.set_state(v1::CANCELLED);
  stopped.set_exit_code(-1);
  stopped.set_term_signal(15);
  stopped.set_duration_ms(800);
  stopped.set_reason("cancelled after 800 ms");
  REQUIRE(w.orders->record_result("dev-1", stopped));
  auto stored = w.store->read().orders().find_order(order->id).value();
  CHECK(stored->state == OrderState::kCancelled);
  CHECK_THAT(stored->reason, Catch::StartsWith("cancelled by sam: wrong unit"));
  CHECK(stored->result["ran"] == "cancelled");
  CHECK(stored->result["fixed"] == "not run");
  const auto kinds = event_kinds(w);
  CHECK(std::count(kinds.begin(), kinds.end(), "action_cancel_requested") == 1);
  CHECK(std::count(kinds.begin(), kinds.end(), "action_cancelled") == 1);
  const auto events = w.store->read().tickets().ticket_events(w.ticket_id).value();
  for (const auto& e : events) {
    if (e.kind == "action_cancelled") {
      CHECK(e.data["cancelled_by"] == "sam");
      CHECK(e.data["term_signal"] == 15);
    }
  }
  // Finished: cancelling again is a conflict and changes nothing.
  auto again = w.orders->cancel(order->id, user("tom", Role::kTechnician), "", w.now);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::kConflict);
}

TEST_CASE("an order that finished before the agent saw the cancel stays finished") {
  World w;
  auto order = w.request("echo-test", {{"text", "hello"}}, user("tom", Role::kTechnician));
  REQUIRE(order);
  mark(w, *order, OrderState::kQueued, OrderState::kSent);
  REQUIRE(w.orders->cancel(order->id, user("tom", Role::kTechnician), "", w.now));
  // The action had ended on the device when the cancel arrived: the agent reports the run.
  v1::OrderResult done;
  done.set_order_id(order->id);
  done.set_state(v1::SUCCEEDED);
  done.set_exit_code(0);
  done.set_duration_ms(20);
  REQUIRE(w.orders->record_result("dev-1", done));
  auto stored = w.store->read().orders().find_order(order->id).value();
  CHECK(stored->state == OrderState::kSucceeded);
  CHECK(stored->result["ran"] == "exit 0");
  auto late = w.orders->cancel(order->id, user("tom", Role::kTechnician), "", w.now);
  REQUIRE_FALSE(late);
  CHECK(late.error().code == ErrorCode::kConflict);
  CHECK(w.store->read().orders().find_order(order->id).value()->state == OrderState::kSucceeded);

  SECTION("a cancelled report without a cancel request is a failure, not a cancellation") {
    auto other = w.request("echo-test", {{"text", "again"}}, user("tom", Role::kTechnician));
    REQUIRE(other);
    mark(w, *other, OrderState::kQueued, OrderState::kRunning);
    v1::OrderResult claimed;
    claimed.set_order_id(other->id);
    claimed.set_state(v1::CANCELLED);
    claimed.set_exit_code(-1);
    REQUIRE(w.orders->record_result("dev-1", claimed));
    CHECK(w.store->read().orders().find_order(other->id).value()->state == OrderState::kFailed);
  }
}

TEST_CASE("'ran' and 'fixed' are separate facts of a result") {
  World w;
  auto order = w.request("echo-test", {{"text", "hello"}}, user("tom", Role::kTechnician));
  REQUIRE(order);
  mark(w, *order, OrderState::kQueued, OrderState::kRunning);
  v1::OrderResult result;
  result.set_order_id(order->id);
  result.set_state(v1::SUCCEEDED);
  result.set_exit_code(0);
  result.mutable_post_check()->set_ran(true);
  result.mutable_post_check()->set_passed(false);
  result.mutable_post_check()->set_exit_code(3);
  REQUIRE(w.orders->record_result("dev-1", result));
  auto stored = w.store->read().orders().find_order(order->id).value();
  // It ran fine and did not fix the problem.
  CHECK(stored->state == OrderState::kSucceeded);
  CHECK(stored->result["ran"] == "exit 0");
  CHECK(stored->result["fixed"] == "failed");
  CHECK(stored->result["post_check"]["exit_code"] == 3);
  const auto events = w.store->read().tickets().ticket_events(w.ticket_id).value();
  for (const auto& e : events) {
    if (e.kind == "action_run") {
      CHECK(e.data["ran"] == "exit 0");
      CHECK(e.data["fixed"] == "failed");
    }
  }
}
