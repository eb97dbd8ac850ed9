#pragma once
// Remediation orders from request to result. Staff request an action on a ticket's device;
// the collector validates the parameters, checks roles and the approval rule, signs the
// order and sends it to the device when it is online (a bounded per-device queue otherwise);
// the agent's updates, output and result come back here. Every step writes an internal
// timeline entry on the ticket in the same transaction as the order's state change, and
// every state change is conditional on the state it leaves, so no order moves twice.
// OrderService is the face of four parts: the rules (OrderStateMachine), the writes
// (OrderLedger), delivery to agents (OrderDispatcher) and the agent's reports (OrderReports);
// it holds the catalog in force and the expiry sweep.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "collector/actions/action_catalog.hpp"
#include "collector/actions/order_audit.hpp"
#include "collector/actions/order_dispatcher.hpp"
#include "collector/actions/order_ledger.hpp"
#include "collector/actions/order_reports.hpp"
#include "collector/actions/order_settings.hpp"
#include "collector/actions/order_signer.hpp"
#include "collector/actions/order_state_machine.hpp"
#include "collector/channel/agent_channel.hpp"
#include "collector/storage/leadership.hpp"
#include "collector/storage/store.hpp"
#include "collector/tickets/outbox_planner.hpp"
#include "shared/util/periodic_task.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/envelope.pb.h"

namespace triage::collector {

/// What staff ask for.
struct OrderRequest {
  std::int64_t ticket_id = 0;
  std::string action_id;
  nlohmann::json params = nlohmann::json::object();
  std::string device_id;   ///< "" = the ticket's only device
  std::string source;      ///< the requester's peer address, for the audit log
  std::string credential;  ///< what the requester authenticated with (Authenticated::credential)
};

/// An order and its output so far.
struct OrderView {
  Order order;
  std::vector<OrderOutputChunk> output;
};

class AuditLog;

class OrderService {
 public:
  /// `store`, `agents`, `signer` and `audit` must outlive the service; `catalog` is copied.
  /// With an audit log, every state change commits together with its audit record; with an
  /// outbox planner, together with the outbox messages its timeline events cause. With a
  /// `sweep_leadership` (which outlives the service), the periodic sweep runs only while this
  /// process leads it (one collector node of a cluster expires orders).
  OrderService(Store& store, AgentChannel& agents, const ActionCatalog& catalog,
               const OrderSigner& signer, OrderSettings settings = {}, AuditLog* audit = nullptr,
               OutboxPlanner* outbox = nullptr, Leadership* sweep_leadership = nullptr);
  ~OrderService();

  /// The catalog in force now (an immutable snapshot: a change replaces it).
  std::shared_ptr<const ActionCatalog> catalog() const;
  /// Makes `next` the catalog: signs its manifest, uses it for new orders and HelloAcks, and
  /// pushes it to every connected agent. Orders signed before keep their definition hash:
  /// an agent refuses one whose hash its catalog no longer lists.
  Result<void> replace_catalog(ActionCatalog next);

  /// Validates and records the order; signs and sends it unless it needs approval.
  /// kInvalid (bad action/params/device), kNotFound (ticket), kDenied (role, service
  /// account), kConflict (device queue full, device revoked).
  Result<Order> request(const OrderRequest& request, const User& user, TimePoint now);
  /// A different person with the required role approves: signed and sent. kDenied for the
  /// requester, a service account or a role too low, kConflict when the order no longer waits
  /// for approval. `credential` is recorded with the approval.
  Result<Order> approve(const std::string& order_id, const User& user, TimePoint now,
                        const std::string& source = {}, const std::string& credential = {});
  /// Rejected by a different senior user: cancelled with the reason.
  Result<Order> reject(const std::string& order_id, const User& user, const std::string& reason,
                       TimePoint now, const std::string& source = {});
  /// The requester or a senior user cancels an order. Not yet sent: `cancelled` at once.
  /// Sent or running: the cancel request is recorded (`action_cancel_requested`) and sent to
  /// the agent, which stops or drops it; the order becomes `cancelled` when the agent reports
  /// so, and an order that finished first stays finished. kConflict for a finished order.
  Result<Order> cancel(const std::string& order_id, const User& user, const std::string& reason,
                       TimePoint now, const std::string& source = {});
  Result<OrderView> get(const std::string& order_id);

  /// Sends the device's queued, unexpired orders if it is online (call after its hello).
  void dispatch(const std::string& device_id);
  /// The signed catalog for the HelloAck.
  v1::SignedCatalog signed_catalog() const;

  // From the agent session (`device_id` is the authenticated device; reports naming another
  // device's order are ignored).
  Result<void> record_update(const std::string& device_id, const v1::OrderUpdate& update);
  /// `received_at`: when the chunk reached the collector; the first one stored becomes the
  /// order's `first_output_at`.
  Result<void> record_output(const std::string& device_id, const v1::OrderOutput& output,
                             TimePoint received_at = std::chrono::system_clock::now());
  /// Commits the result, its timeline entry and time entry. Returns only once durable.
  Result<void> record_result(const std::string& device_id, const v1::OrderResult& result);

  /// Expires orders past their deadlines; returns how many.
  Result<int> sweep(TimePoint now);
  /// Starts the periodic sweep (a thread of its own); stop() ends it (also on destruction).
  void start();
  void stop();

 private:
  /// Cancels `order` as read (see cancel()); again on what it became when it moved meanwhile.
  Result<Order> cancel_loaded(Order order, const User& user, const std::string& reason,
                              TimePoint now, const std::string& source);

  Store& store_;
  AgentChannel& agents_;
  const OrderSigner& signer_;
  OrderSettings settings_;
  OrderStateMachine machine_;
  OrderLedger ledger_;
  OrderDispatcher dispatcher_;
  OrderReports reports_;
  Leadership* sweep_leadership_;
  mutable std::mutex catalog_mutex_;
  std::shared_ptr<const ActionCatalog> catalog_;
  std::shared_ptr<const v1::SignedCatalog> signed_catalog_;
  PeriodicTask sweeper_;  ///< last: stopped before what it uses is gone
};

}  // namespace triage::collector
