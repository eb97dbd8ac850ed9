#pragma once
// The rules of an order's life, apart from storage and delivery: who may request, approve,
// reject or cancel it, from which state, what each move changes, and when an order expires.
// Pure: every function takes the order as read and the time, and answers the move to write
// (OrderLedger writes it, conditional on the state it leaves) or why there is none.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/actions/action_definition.hpp"
#include "collector/actions/order_settings.hpp"
#include "collector/storage/order_records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// One move of an order: the order as it is after it, the states it may leave (it is written
/// only if the stored order is still in one of them), and what the ticket timeline and the
/// audit log record of it.
struct OrderTransition {
  Order order;
  std::vector<OrderState> from;
  /// The audit event is "order.<what>": "approved", "cancelled", "sent", ...
  std::string what;
  /// The timeline event ("action_approved"); "" for a move that writes none (sent, requeued).
  std::string kind;
  /// Timeline data besides order_event_data(order).
  nlohmann::json data = nlohmann::json::object();
};

class OrderStateMachine {
 public:
  explicit OrderStateMachine(OrderSettings settings = {}) : settings_(settings) {}

  /// Orders are decisions of people: kDenied for a service account (an integration's identity),
  /// which never requests, approves or rejects one.
  static Result<void> may_act(const User& user);
  /// Whether `user` may order `def`: a person (never a service account) with its role.
  /// kDenied otherwise.
  Result<void> may_request(const User& user, const ActionDefinition& def) const;
  /// The state a new order of `def` starts in: awaiting approval when it needs a second
  /// person, else queued.
  static OrderState initial_state(const ActionDefinition& def);

  /// A different person with the required role (senior at least) approves an order awaiting
  /// approval: it becomes queued (the caller signs it). `current` is the catalog's definition of
  /// the order's action now (nullptr when gone). kDenied for the requester, a service account
  /// or a role too low; kConflict when the order no longer awaits approval or its definition
  /// changed.
  Result<OrderTransition> approve(Order order, const User& user, const ActionDefinition* current,
                                  const std::string& credential, TimePoint now) const;
  /// A different person rejects an order awaiting approval: cancelled, with the reason.
  Result<OrderTransition> reject(Order order, const User& user, const std::string& reason,
                                 TimePoint now) const;
  /// The requester or a senior user cancels. Awaiting approval or queued: cancelled at once.
  /// Sent or running: the cancel request is recorded (the state stays; the agent stops it).
  /// kDenied for anybody else, kConflict for a finished order.
  Result<OrderTransition> cancel(Order order, const User& user, const std::string& reason,
                                 TimePoint now) const;
  /// The order expired by `now`: not approved in time, queued past its expiry, sent but not
  /// confirmed before the agent would refuse it, running past its timeout and the longest
  /// post-check. nullopt when it has not (or is not pending).
  std::optional<OrderTransition> expire(Order order, TimePoint now) const;

  /// A dispatch claims a queued order before sending it.
  static OrderTransition send(Order order, TimePoint now);
  /// The device went away before the order was handed over: queued again, as `order` was
  /// before send().
  static OrderTransition requeue(Order order, TimePoint now);

 private:
  OrderSettings settings_;
};

}  // namespace triage::collector
