#pragma once
// Remediation orders. State changes are conditional on the current state, so concurrent
// writers (REST workers, agent sessions, the expiry sweep) can never move an order twice.
// Read through a ReadTx or a WriteTx (collector/storage/transaction.hpp); a read through a
// WriteTx sees that transaction's own writes.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/storage/order_records.hpp"
#include "collector/storage/ticket_records.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// The reads of this area.
class OrderReader {
 public:
  virtual ~OrderReader() = default;

  virtual Result<std::optional<Order>> find_order(std::string_view id) = 0;
  /// Orders matching every given criterion, oldest first (newest first when
  /// `query.newest_first`), skipping `offset`, at most `limit`.
  virtual Result<std::vector<Order>> list_orders(const OrderQuery& query) = 0;
  /// In arrival order.
  virtual Result<std::vector<OrderOutputChunk>> order_output(std::string_view order_id) = 0;
};

/// The reads and writes of this area, reached from a WriteTx.
class OrderRepository : public OrderReader {
 public:
  /// Inserts the order with its timeline events in one transaction.
  virtual Result<void> insert_order(const Order& order, const std::vector<TicketEvent>& events) = 0;
  /// Writes every mutable field of `order` (state, approver, reason, times, signed bytes,
  /// result) and appends `events`, in one transaction, if the stored order is still in one of
  /// `from`. False, with nothing written, when it is not.
  virtual Result<bool> update_order(const Order& order, const std::vector<OrderState>& from,
                                    const std::vector<TicketEvent>& events) = 0;
  /// update_order() that also stores `attachment` (an action's file output) on the order's
  /// ticket, in the same transaction. Sets `attachment.id`, and writes it into the order's
  /// `result["attachment"]["id"]` and each event's `data["attachment_id"]`.
  virtual Result<bool> update_order_with_attachment(Order& order,
                                                    const std::vector<OrderState>& from,
                                                    Attachment& attachment,
                                                    std::vector<TicketEvent> events) = 0;
  /// Appends a chunk unless the order's stored output already holds `cap` bytes (false then);
  /// a chunk received twice is stored once.
  virtual Result<bool> append_order_output(std::string_view order_id, const OrderOutputChunk& chunk,
                                           std::uint64_t cap) = 0;
};

}  // namespace triage::collector
