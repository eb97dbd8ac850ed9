#pragma once
// PostgreSQL: remediation orders and their streamed output. Every state change is one
// conditional UPDATE (`WHERE state = ANY(...)`): a racing writer waits for the row, sees the
// state the winner left, and changes nothing.

#include "collector/storage/order_repository.hpp"
#include "collector/storage/postgres/pg_connector.hpp"

namespace triage::collector {

class PgOrderRepository final : public OrderRepository {
 public:
  explicit PgOrderRepository(postgres::Connector& connector) : connector_(connector) {}

  Result<std::optional<Order>> find_order(std::string_view id) override;
  Result<std::vector<Order>> list_orders(const OrderQuery& query) override;
  Result<std::vector<OrderOutputChunk>> order_output(std::string_view order_id) override;
  Result<void> insert_order(const Order& order, const std::vector<TicketEvent>& events) override;
  Result<bool> update_order(const Order& order, const std::vector<OrderState>& from,
                            const std::vector<TicketEvent>& events) override;
  Result<bool> update_order_with_attachment(Order& order, const std::vector<OrderState>& from,
                                            Attachment& attachment,
                                            std::vector<TicketEvent> events) override;
  Result<bool> append_order_output(std::string_view order_id, const OrderOutputChunk& chunk,
                                   std::uint64_t cap) override;

 private:
  postgres::Connector& connector_;
};

}  // namespace triage::collector
