#pragma once
// Delivery of orders to agents: signing an order once it may run, sending a device's queued,
// unexpired orders when it is online (each claimed first, so of two dispatches only one sends
// it; queued again when the device went away meanwhile), and cancel requests, again after a
// reconnect. It reaches agents only through the AgentChannel interface.

#include <string>

#include "collector/actions/action_definition.hpp"
#include "collector/actions/order_ledger.hpp"
#include "collector/actions/order_settings.hpp"
#include "collector/actions/order_signer.hpp"
#include "collector/channel/agent_channel.hpp"
#include "collector/storage/store.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

class OrderDispatcher {
 public:
  /// Everything given must outlive the dispatcher.
  OrderDispatcher(Store& store, AgentChannel& agents, const OrderSigner& signer,
                  OrderLedger& ledger, OrderSettings settings);

  /// Signs `order` for `def`: its signed payload and expiry (`order_ttl` from `now`).
  Result<void> sign(Order& order, const ActionDefinition& def, TimePoint now) const;
  /// Sends the device's queued, unexpired orders if it is online (call after its hello), and
  /// the cancel requests it may have missed while away.
  void dispatch(const std::string& device_id);
  /// OrderCancel to the device if it is connected (else dispatch() sends it on reconnect).
  void send_cancel(const Order& order);

 private:
  Store& store_;
  AgentChannel& agents_;
  const OrderSigner& signer_;
  OrderLedger& ledger_;
  OrderSettings settings_;
};

}  // namespace triage::collector
