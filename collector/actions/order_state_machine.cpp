#include "collector/actions/order_state_machine.hpp"

namespace triage::collector {

namespace {

/// The longest post-check a definition may declare (action_definition.cpp).
constexpr std::chrono::seconds kLongestPostCheck{600};

bool role_at_least(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

tl::unexpected<Error> not_awaiting_approval(const Order& order) {
  return fail(ErrorCode::kConflict, "order " + order.id + " is " + order_state_name(order.state) +
                                        ", not awaiting approval");
}

OrderTransition move(Order order, OrderState from, std::string what, std::string kind,
                     nlohmann::json data, TimePoint now) {
  order.updated_at = now;
  return OrderTransition{
      std::move(order), {from}, std::move(what), std::move(kind), std::move(data)};
}

}  // namespace

Result<void> OrderStateMachine::may_act(const User& user) {
  if (user.kind == UserKind::kPerson) return {};
  return fail(ErrorCode::kDenied, "service account " + user.name +
                                      " cannot request, approve or reject orders; a person must");
}

Result<void> OrderStateMachine::may_request(const User& user, const ActionDefinition& def) const {
  if (auto r = may_act(user); !r) return r;
  if (!role_at_least(user.role, def.required_role())) {
    return fail(ErrorCode::kDenied, "action " + def.id + " (" + action_risk_name(def.risk) +
                                        " risk) needs the " + role_name(def.required_role()) +
                                        " role (you are " + role_name(user.role) + ")");
  }
  return {};
}

OrderState OrderStateMachine::initial_state(const ActionDefinition& def) {
  return def.needs_approval() ? OrderState::kAwaitingApproval : OrderState::kQueued;
}

Result<OrderTransition> OrderStateMachine::approve(Order order, const User& user,
                                                   const ActionDefinition* current,
                                                   const std::string& credential,
                                                   TimePoint now) const {
  if (auto r = may_act(user); !r) return tl::unexpected(r.error());
  if (order.requested_by == user.name) {
    return fail(ErrorCode::kDenied, "the requester cannot approve their own order");
  }
  if (order.state != OrderState::kAwaitingApproval) return not_awaiting_approval(order);
  if (current == nullptr || current->sha256 != order.definition_sha256) {
    return fail(ErrorCode::kConflict,
                "the definition of action " + order.action_id +
                    " changed since the order was requested; request it again");
  }
  const Role needed = role_at_least(current->required_role(), Role::kSenior)
                          ? current->required_role()
                          : Role::kSenior;
  if (!role_at_least(user.role, needed)) {
    return fail(ErrorCode::kDenied,
                std::string("approving this order needs the ") + role_name(needed) + " role");
  }
  order.approved_by = user.name;
  order.approved_credential = credential;
  order.state = OrderState::kQueued;
  return move(std::move(order), OrderState::kAwaitingApproval, "approved", "action_approved",
              nlohmann::json::object(), now);
}

Result<OrderTransition> OrderStateMachine::reject(Order order, const User& user,
                                                  const std::string& reason, TimePoint now) const {
  if (auto r = may_act(user); !r) return tl::unexpected(r.error());
  if (order.requested_by == user.name) {
    return fail(ErrorCode::kDenied,
                "the requester cannot reject their own order; cancel it instead");
  }
  if (order.state != OrderState::kAwaitingApproval) return not_awaiting_approval(order);
  order.state = OrderState::kCancelled;
  order.reason = "rejected by " + user.name + (reason.empty() ? "" : ": " + reason);
  order.finished_at = now;
  return move(std::move(order), OrderState::kAwaitingApproval, "rejected", "action_rejected",
              {{"reason", reason}}, now);
}

Result<OrderTransition> OrderStateMachine::cancel(Order order, const User& user,
                                                  const std::string& reason, TimePoint now) const {
  if (order.requested_by != user.name && !role_at_least(user.role, Role::kSenior)) {
    return fail(ErrorCode::kDenied, "only the requester or a senior user can cancel an order");
  }
  const auto from = order.state;
  if (from == OrderState::kSent || from == OrderState::kRunning) {
    // It is the agent's to stop: the request is recorded and the state stays.
    order.cancel_requested_by = user.name;
    order.cancel_reason = reason;
    return move(std::move(order), from, "cancel_requested", "action_cancel_requested",
                {{"reason", reason}, {"cancelled_by", user.name}}, now);
  }
  if (from != OrderState::kAwaitingApproval && from != OrderState::kQueued) {
    return fail(ErrorCode::kConflict, "order " + order.id + " is " + order_state_name(from) +
                                          " already; a finished order stays as it ended");
  }
  order.state = OrderState::kCancelled;
  order.reason = "cancelled by " + user.name + (reason.empty() ? "" : ": " + reason);
  order.finished_at = now;
  return move(std::move(order), from, "cancelled", "action_cancelled",
              {{"reason", reason}, {"cancelled_by", user.name}}, now);
}

std::optional<OrderTransition> OrderStateMachine::expire(Order order, TimePoint now) const {
  std::string reason;
  if (order.state == OrderState::kAwaitingApproval) {
    if (order.created_at + settings_.approval_ttl <= now) reason = "not approved in time";
  } else if (order.state == OrderState::kQueued) {
    if (order.expires_at && *order.expires_at <= now) {
      reason = "the device was not reachable before the order expired";
    }
  } else if (order.state == OrderState::kSent) {
    if (order.expires_at && *order.expires_at + 2 * settings_.clock_skew <= now) {
      // Past this point the agent refuses the order, so it can no longer start.
      reason = "the agent did not confirm the order before it expired";
    }
  } else if (order.state == OrderState::kRunning) {
    if (order.updated_at + std::chrono::seconds(order.timeout_s) + kLongestPostCheck +
            2 * settings_.clock_skew <=
        now) {
      // Running (since updated_at) past its timeout and the longest post-check: the agent
      // died or lost the result. It no longer counts against the device's queue; a result
      // that arrives later (through the agent's spool) is still recorded.
      reason = "no result from the agent within the action's timeout";
    }
  }
  if (reason.empty()) return std::nullopt;
  const auto from = order.state;
  order.state = OrderState::kExpired;
  order.reason = reason;
  order.finished_at = now;
  return move(std::move(order), from, "expired", "action_expired", {{"reason", reason}}, now);
}

OrderTransition OrderStateMachine::send(Order order, TimePoint now) {
  order.state = OrderState::kSent;
  order.sent_at = now;
  return move(std::move(order), OrderState::kQueued, "sent", "", nlohmann::json::object(), now);
}

OrderTransition OrderStateMachine::requeue(Order order, TimePoint now) {
  order.state = OrderState::kQueued;
  return move(std::move(order), OrderState::kSent, "requeued", "", nlohmann::json::object(), now);
}

}  // namespace triage::collector
