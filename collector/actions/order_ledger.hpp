#pragma once
// Where orders are written: a new order, and each move of one, in a single transaction with its
// ticket timeline events, the outbox messages they cause and (with an audit log) its audit
// record. Every move is conditional on the state it leaves, so no order moves twice.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/actions/order_audit.hpp"
#include "collector/actions/order_state_machine.hpp"
#include "collector/storage/store.hpp"
#include "collector/tickets/outbox_planner.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

class AuditLog;

/// Timeline data describing an order (shared by every order event).
nlohmann::json order_event_data(const Order& order);

/// An internal timeline event of `order`'s ticket.
TicketEvent order_event(const Order& order, TimePoint at, const std::string& actor,
                        const std::string& kind, nlohmann::json data);

class OrderLedger {
 public:
  /// `store`, and `audit` and `outbox` when given, must outlive the ledger.
  OrderLedger(Store& store, AuditLog* audit, OutboxPlanner* outbox);

  /// The stored order; kNotFound when there is none.
  Result<Order> load(const std::string& order_id) const;

  /// Inserts a new order with its timeline events, audited as "order.requested" by `actor`.
  Result<void> insert(const Order& order, const std::vector<TicketEvent>& events,
                      const OrderActor& actor, TimePoint now);

  /// Writes `move` by `actor`: the order, its timeline event (when it has a kind) and audit
  /// record. kConflict when the stored order had left `move.from` meanwhile ("reload it").
  Result<Order> apply(const OrderTransition& move, const OrderActor& actor, TimePoint now);

  /// update_order() (with `attachment`: update_order_with_attachment()), the outbox messages
  /// `events` cause and, with an audit log, the event "order.<what>", in one transaction. False
  /// (nothing written) when the order was no longer in one of `from`. `previous`: the state it
  /// leaves, for the record (default: the only one in `from`).
  Result<bool> commit(const Order& order, const std::vector<OrderState>& from,
                      const std::vector<TicketEvent>& events, const std::string& what,
                      const OrderActor& actor, TimePoint now,
                      std::optional<OrderState> previous = std::nullopt,
                      Attachment* attachment = nullptr);

 private:
  Store& store_;
  AuditLog* audit_;
  OutboxPlanner* outbox_;
};

}  // namespace triage::collector
