// The rules of an order's life on their own (no store, no agent): who may approve, reject or
// cancel it from which state, what each move changes, and when an order expires. Two approvers
// racing for one order is in the storage contract suite (race_contract_test.cpp).

#include <catch2/catch.hpp>

#include "collector/actions/order_state_machine.hpp"
#include "tests/collector/actions/order_test_support.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

namespace {

const char* kLow = R"(
id = "low-test"
version = 1
title = "Low"
argv = ["/bin/echo", "low"]
risk = "low"
)";

const char* const kHigh = testing::kHighRiskAction;

const TimePoint kNow = TimePoint{} + 1'000'000h;

User user(const std::string& name, Role role, UserKind kind = UserKind::kPerson) {
  return testing::staff_user(name, role, kind);
}

ActionDefinition definition(const char* text) {
  return parse_action_definition(text, "test.toml").value();
}

Order order(OrderState state, const ActionDefinition& def) {
  Order o;
  o.id = "order-1";
  o.ticket_id = 7;
  o.device_id = "dev-1";
  o.action_id = def.id;
  o.definition_sha256 = def.sha256;
  o.state = state;
  o.requested_by = "tina";
  o.timeout_s = 60;
  o.created_at = kNow - 1min;
  o.updated_at = kNow - 1min;
  return o;
}

}  // namespace

TEST_CASE("a new order awaits approval when its action needs a second person, else is queued") {
  CHECK(OrderStateMachine::initial_state(definition(kHigh)) == OrderState::kAwaitingApproval);
  CHECK(OrderStateMachine::initial_state(definition(kLow)) == OrderState::kQueued);
}

TEST_CASE("only a person with the action's role may request it") {
  const OrderStateMachine machine;
  const auto high = definition(kHigh);
  CHECK(machine.may_request(user("sam", Role::kSenior), high));
  auto technician = machine.may_request(user("tina", Role::kTechnician), high);
  REQUIRE_FALSE(technician);
  CHECK(technician.error().code == ErrorCode::kDenied);
  auto service = machine.may_request(user("rt", Role::kAdmin, UserKind::kService), high);
  REQUIRE_FALSE(service);
  CHECK(service.error().code == ErrorCode::kDenied);
}

TEST_CASE("a second senior person approves an order awaiting approval: queued") {
  const OrderStateMachine machine;
  const auto high = definition(kHigh);
  auto move = machine.approve(order(OrderState::kAwaitingApproval, high),
                              user("sam", Role::kSenior), &high, "token:7", kNow);
  REQUIRE(move);
  CHECK(move->order.state == OrderState::kQueued);
  CHECK(move->order.approved_by == "sam");
  CHECK(move->order.approved_credential == "token:7");
  CHECK(move->order.updated_at == kNow);
  CHECK(move->from == std::vector<OrderState>{OrderState::kAwaitingApproval});
  CHECK(move->what == "approved");
  CHECK(move->kind == "action_approved");
}

TEST_CASE("approval is refused to the requester, a lower role, a service account, and late") {
  const OrderStateMachine machine;
  const auto high = definition(kHigh);
  const auto waiting = order(OrderState::kAwaitingApproval, high);
  struct Case {
    const char* what;
    Order order;
    User approver;
    const ActionDefinition* current;
    ErrorCode code;
  };
  auto changed = high;
  changed.sha256 = std::string(64, '0');
  const Case cases[] = {
      {"the requester", waiting, user("tina", Role::kAdmin), &high, ErrorCode::kDenied},
      {"a technician", waiting, user("tom", Role::kTechnician), &high, ErrorCode::kDenied},
      {"a service account", waiting, user("rt", Role::kAdmin, UserKind::kService), &high,
       ErrorCode::kDenied},
      {"an order already queued", order(OrderState::kQueued, high), user("sam", Role::kSenior),
       &high, ErrorCode::kConflict},
      {"an order cancelled", order(OrderState::kCancelled, high), user("sam", Role::kSenior), &high,
       ErrorCode::kConflict},
      {"a definition changed since", waiting, user("sam", Role::kSenior), &changed,
       ErrorCode::kConflict},
      {"a definition gone", waiting, user("sam", Role::kSenior), nullptr, ErrorCode::kConflict},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto move = machine.approve(c.order, c.approver, c.current, "", kNow);
    REQUIRE_FALSE(move);
    CHECK(move.error().code == c.code);
  }
}

TEST_CASE("another person rejects an order awaiting approval: cancelled with the reason") {
  const OrderStateMachine machine;
  const auto high = definition(kHigh);
  auto move = machine.reject(order(OrderState::kAwaitingApproval, high), user("sam", Role::kSenior),
                             "not now", kNow);
  REQUIRE(move);
  CHECK(move->order.state == OrderState::kCancelled);
  CHECK(move->order.reason == "rejected by sam: not now");
  CHECK(move->order.finished_at == kNow);
  CHECK(move->kind == "action_rejected");
  CHECK(move->data["reason"] == "not now");
  auto own = machine.reject(order(OrderState::kAwaitingApproval, high), user("tina", Role::kSenior),
                            "", kNow);
  REQUIRE_FALSE(own);
  CHECK(own.error().code == ErrorCode::kDenied);
  auto queued =
      machine.reject(order(OrderState::kQueued, high), user("sam", Role::kSenior), "", kNow);
  REQUIRE_FALSE(queued);
  CHECK(queued.error().code == ErrorCode::kConflict);
}

TEST_CASE("an order not yet sent is cancelled at once, a sent one asks the agent to stop") {
  const OrderStateMachine machine;
  const auto low = definition(kLow);
  for (auto state : {OrderState::kAwaitingApproval, OrderState::kQueued}) {
    INFO(order_state_name(state));
    auto move = machine.cancel(order(state, low), user("tina", Role::kTechnician), "wrong", kNow);
    REQUIRE(move);
    CHECK(move->order.state == OrderState::kCancelled);
    CHECK(move->order.reason == "cancelled by tina: wrong");
    CHECK(move->from == std::vector<OrderState>{state});
    CHECK(move->kind == "action_cancelled");
  }
  for (auto state : {OrderState::kSent, OrderState::kRunning}) {
    INFO(order_state_name(state));
    auto move = machine.cancel(order(state, low), user("sam", Role::kSenior), "stop", kNow);
    REQUIRE(move);
    CHECK(move->order.state == state);  // the agent's result moves it
    CHECK(move->order.cancel_requested_by == "sam");
    CHECK(move->order.cancel_reason == "stop");
    CHECK(move->what == "cancel_requested");
    CHECK(move->kind == "action_cancel_requested");
  }
}

TEST_CASE("a finished order stays as it ended, and only the requester or a senior cancels") {
  const OrderStateMachine machine;
  const auto low = definition(kLow);
  for (auto state : {OrderState::kSucceeded, OrderState::kFailed, OrderState::kRefused,
                     OrderState::kExpired, OrderState::kCancelled}) {
    INFO(order_state_name(state));
    auto move = machine.cancel(order(state, low), user("tina", Role::kTechnician), "", kNow);
    REQUIRE_FALSE(move);
    CHECK(move.error().code == ErrorCode::kConflict);
  }
  auto other =
      machine.cancel(order(OrderState::kQueued, low), user("tom", Role::kTechnician), "", kNow);
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ErrorCode::kDenied);
}

TEST_CASE("orders expire past their deadlines, and not before") {
  OrderSettings settings;
  settings.approval_ttl = 24h;
  settings.clock_skew = 30s;
  const OrderStateMachine machine(settings);
  const auto low = definition(kLow);

  auto waiting = order(OrderState::kAwaitingApproval, low);
  waiting.created_at = kNow - 24h;
  auto expired = machine.expire(waiting, kNow);
  REQUIRE(expired);
  CHECK(expired->order.state == OrderState::kExpired);
  CHECK(expired->order.reason == "not approved in time");
  CHECK(expired->from == std::vector<OrderState>{OrderState::kAwaitingApproval});
  CHECK(expired->kind == "action_expired");
  waiting.created_at = kNow - 23h;
  CHECK_FALSE(machine.expire(waiting, kNow));

  auto queued = order(OrderState::kQueued, low);
  queued.expires_at = kNow;
  CHECK(machine.expire(queued, kNow));
  queued.expires_at = kNow + 1s;
  CHECK_FALSE(machine.expire(queued, kNow));

  // Sent: the agent accepts it up to the clock skew past its expiry, on either side.
  auto sent = order(OrderState::kSent, low);
  sent.expires_at = kNow - 59s;
  CHECK_FALSE(machine.expire(sent, kNow));
  sent.expires_at = kNow - 60s;
  CHECK(machine.expire(sent, kNow));

  // Running: its timeout, the longest post-check (600 s) and the skew.
  auto running = order(OrderState::kRunning, low);
  running.updated_at = kNow - 60s - 600s - 59s;
  CHECK_FALSE(machine.expire(running, kNow));
  running.updated_at = kNow - 60s - 600s - 60s;
  auto late = machine.expire(running, kNow);
  REQUIRE(late);
  CHECK(late->order.reason == "no result from the agent within the action's timeout");

  for (auto state : {OrderState::kSucceeded, OrderState::kCancelled, OrderState::kExpired}) {
    auto finished = order(state, low);
    finished.created_at = kNow - 1000h;
    finished.updated_at = kNow - 1000h;
    finished.expires_at = kNow - 1000h;
    CHECK_FALSE(machine.expire(finished, kNow));
  }
}

TEST_CASE("a dispatch claims a queued order as sent, and puts it back when the device went away") {
  const auto low = definition(kLow);
  auto sent = OrderStateMachine::send(order(OrderState::kQueued, low), kNow);
  CHECK(sent.order.state == OrderState::kSent);
  CHECK(sent.order.sent_at == kNow);
  CHECK(sent.from == std::vector<OrderState>{OrderState::kQueued});
  CHECK(sent.what == "sent");
  CHECK(sent.kind.empty());  // no timeline entry
  auto back = OrderStateMachine::requeue(order(OrderState::kQueued, low), kNow);
  CHECK(back.order.state == OrderState::kQueued);
  CHECK(back.from == std::vector<OrderState>{OrderState::kSent});
  CHECK(back.what == "requeued");
}
