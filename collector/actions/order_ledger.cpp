#include "collector/actions/order_ledger.hpp"

#include "collector/audit/audit_log.hpp"

namespace triage::collector {

namespace {

/// How the ticket timeline names who acted.
std::string timeline_actor(const OrderActor& actor) {
  return actor.kind == AuditActorKind::kDevice ? "device:" + actor.name : actor.name;
}

}  // namespace

nlohmann::json order_event_data(const Order& order) {
  return {{"order_id", order.id},
          {"action", order.action_id},
          {"device_id", order.device_id},
          {"argv", order.argv},
          {"risk", order.risk},
          {"state", order_state_name(order.state)},
          {"requested_by", order.requested_by},
          {"requested_credential", order.requested_credential},
          {"approved_by", order.approved_by},
          {"approved_credential", order.approved_credential}};
}

TicketEvent order_event(const Order& order, TimePoint at, const std::string& actor,
                        const std::string& kind, nlohmann::json data) {
  TicketEvent e;
  e.ticket_id = order.ticket_id;
  e.at = at;
  e.actor = actor;
  e.kind = kind;
  e.visibility = Visibility::kInternal;
  e.data = std::move(data);
  return e;
}

OrderLedger::OrderLedger(Store& store, AuditLog* audit, OutboxPlanner* outbox)
    : store_(store), audit_(audit), outbox_(outbox) {}

Result<Order> OrderLedger::load(const std::string& order_id) const {
  auto order = store_.read().orders().find_order(order_id);
  if (!order) return tl::unexpected(order.error());
  if (!*order) return fail(ErrorCode::kNotFound, "no order " + order_id.substr(0, 64));
  return std::move(**order);
}

Result<void> OrderLedger::insert(const Order& order, const std::vector<TicketEvent>& events,
                                 const OrderActor& actor, TimePoint now) {
  auto insert = [&](WriteTx& tx) -> Result<void> {
    if (auto r = tx.orders().insert_order(order, events); !r) return r;
    return plan_outbox(outbox_, tx, events);
  };
  if (!audit_) return store_.write(insert);
  auto stored = audit_->record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    if (auto r = insert(tx); !r) return tl::unexpected(r.error());
    return order_audit_event(order, "requested", actor, std::nullopt, now);
  });
  if (!stored) return tl::unexpected(stored.error());
  return {};
}

Result<Order> OrderLedger::apply(const OrderTransition& move, const OrderActor& actor,
                                 TimePoint now) {
  std::vector<TicketEvent> events;
  if (!move.kind.empty()) {
    auto event_data = order_event_data(move.order);
    for (auto& [k, v] : move.data.items()) event_data[k] = v;
    events.push_back(order_event(move.order, now, timeline_actor(actor), move.kind, event_data));
  }
  auto updated = commit(move.order, move.from, events, move.what, actor, now);
  if (!updated) return tl::unexpected(updated.error());
  if (!*updated) {
    return fail(ErrorCode::kConflict, "order " + move.order.id + " is no longer " +
                                          order_state_name(move.from.front()) + "; reload it");
  }
  return move.order;
}

Result<bool> OrderLedger::commit(const Order& order, const std::vector<OrderState>& from,
                                 const std::vector<TicketEvent>& events, const std::string& what,
                                 const OrderActor& actor, TimePoint now,
                                 std::optional<OrderState> previous, Attachment* attachment) {
  auto write = [&](WriteTx& tx) -> Result<bool> {
    Result<bool> updated = false;
    std::vector<TicketEvent> written = events;
    if (attachment == nullptr) {
      updated = tx.orders().update_order(order, from, events);
    } else {
      Order stored = order;  // the store notes the attachment's id in the stored result
      updated = tx.orders().update_order_with_attachment(stored, from, *attachment, events);
      for (auto& e : written) e.data["attachment_id"] = attachment->id;  // as the store does
    }
    if (!updated || !*updated) return updated;  // moved meanwhile: nothing written
    if (auto r = plan_outbox(outbox_, tx, written); !r) return tl::unexpected(r.error());
    return true;
  };
  if (!audit_) return store_.write(write);
  bool moved = false;
  if (!previous && from.size() == 1) previous = from.front();
  auto stored = audit_->record_with([&](WriteTx& tx) -> Result<AuditEvent> {
    auto updated = write(tx);
    if (!updated) return tl::unexpected(updated.error());
    if (!*updated) return fail(ErrorCode::kConflict, "order " + order.id + " moved meanwhile");
    moved = true;
    return order_audit_event(order, what, actor, previous, now);
  });
  if (stored) return true;
  if (!moved && stored.error().code == ErrorCode::kConflict) return false;
  return tl::unexpected(stored.error());
}

}  // namespace triage::collector
