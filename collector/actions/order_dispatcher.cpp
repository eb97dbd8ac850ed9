#include "collector/actions/order_dispatcher.hpp"
#include "shared/util/log_levels.hpp"

namespace triage::collector {

OrderDispatcher::OrderDispatcher(Store& store, AgentChannel& agents, const OrderSigner& signer,
                                 OrderLedger& ledger, OrderSettings settings)
    : store_(store), agents_(agents), signer_(signer), ledger_(ledger), settings_(settings) {}

Result<void> OrderDispatcher::sign(Order& order, const ActionDefinition& def, TimePoint now) const {
  return signer_.sign(order, def, now, settings_.order_ttl);
}

void OrderDispatcher::dispatch(const std::string& device_id) {
  if (!agents_.is_online(device_id)) return;
  auto queued = store_.read().orders().list_orders(
      OrderQuery{device_id,
                 std::nullopt,
                 {OrderState::kQueued},
                 static_cast<int>(settings_.max_queued_per_device)});
  if (!queued) {
    logs::orders().error("device {}: reading queued orders: {}", device_id, queued.error().message);
    return;
  }
  for (auto& order : *queued) {
    const auto now = std::chrono::system_clock::now();
    if (!order.expires_at || *order.expires_at <= now) continue;  // the sweep expires it
    v1::CollectorMessage message;
    if (!message.mutable_order()->ParseFromString(order.signed_order)) {
      logs::orders().error("order {}: stored signed order is unreadable", order.id);
      continue;
    }
    // Claimed before sending: of two concurrent dispatches only one sends the order.
    auto claimed = ledger_.apply(OrderStateMachine::send(order, now), OrderActor::system(), now);
    if (!claimed) continue;
    if (agents_.send(device_id, message) != Delivery::kQueued) {
      const auto later = std::chrono::system_clock::now();
      (void)ledger_.apply(OrderStateMachine::requeue(order, later), OrderActor::system(), later);
      logs::orders().warn("order {}: device {} went away; kept queued", order.id, device_id);
      return;
    }
    logs::orders().info("order {}: sent to device {}", order.id, device_id);
  }
  // Cancels the device may have missed while it was away.
  auto started = store_.read().orders().list_orders(
      OrderQuery{device_id,
                 std::nullopt,
                 {OrderState::kSent, OrderState::kRunning},
                 static_cast<int>(settings_.max_queued_per_device)});
  if (!started) return;
  for (const auto& order : *started) {
    if (!order.cancel_requested_by.empty()) send_cancel(order);
  }
}

void OrderDispatcher::send_cancel(const Order& order) {
  v1::CollectorMessage message;
  message.mutable_order_cancel()->set_order_id(order.id);
  message.mutable_order_cancel()->set_reason(
      "cancelled by " + order.cancel_requested_by +
      (order.cancel_reason.empty() ? "" : ": " + order.cancel_reason.substr(0, 200)));
  // Offline: sent again when the device reconnects (dispatch).
  if (agents_.send(order.device_id, message) == Delivery::kQueued) {
    logs::orders().info("order {}: cancel sent to device {}", order.id, order.device_id);
  }
}

}  // namespace triage::collector
