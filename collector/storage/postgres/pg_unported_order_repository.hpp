#pragma once
// PostgreSQL, not ported yet: remediation orders. Every call fails with kUnavailable instead of
// crashing; the backend stays unselectable in open_store() until every area is ported.

#include "collector/storage/order_repository.hpp"

namespace triage::collector {

class PgUnportedOrderRepository final : public OrderRepository {
 public:
  Result<std::optional<Order>> find_order(std::string_view) override { return unavailable(); }
  Result<std::vector<Order>> list_orders(const OrderQuery&) override { return unavailable(); }
  Result<std::vector<OrderOutputChunk>> order_output(std::string_view) override {
    return unavailable();
  }
  Result<void> insert_order(const Order&, const std::vector<TicketEvent>&) override {
    return unavailable();
  }
  Result<bool> update_order(const Order&, const std::vector<OrderState>&,
                            const std::vector<TicketEvent>&) override {
    return unavailable();
  }
  Result<bool> update_order_with_attachment(Order&, const std::vector<OrderState>&, Attachment&,
                                            std::vector<TicketEvent>) override {
    return unavailable();
  }
  Result<bool> append_order_output(std::string_view, const OrderOutputChunk&,
                                   std::uint64_t) override {
    return unavailable();
  }

 private:
  static tl::unexpected<Error> unavailable() {
    return fail(ErrorCode::kUnavailable, "orders: not yet supported by the PostgreSQL backend");
  }
};

}  // namespace triage::collector
