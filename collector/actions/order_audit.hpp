#pragma once
// Audit records of remediation orders: one per state change (order.requested, .approved,
// .rejected, .cancelled, .sent, .requeued, .refused, .succeeded, .failed, .expired), written
// in the same transaction as the change itself (OrderService). Target "order:ID"; the
// details name the ticket, device, action, its version and definition hash.

#include <string>

#include "collector/storage/audit_records.hpp"
#include "collector/storage/order_records.hpp"

namespace triage::collector {

/// Who moved an order: a staff user (by name), the device reporting on it, or the collector.
struct OrderActor {
  std::string name;  ///< user name, device id, or "system"
  AuditActorKind kind = AuditActorKind::kSystem;
  std::string source;  ///< the user's peer address, "" when none

  static OrderActor user(std::string name, std::string source = {}) {
    return {std::move(name), AuditActorKind::kUser, std::move(source)};
  }
  static OrderActor device(std::string id) { return {std::move(id), AuditActorKind::kDevice, {}}; }
  static OrderActor system() { return {"system", AuditActorKind::kSystem, {}}; }
};

/// The audit event "order.<what>" of `order` as it is after the change, `from` the state it
/// left (nullopt for a new order). Failed and refused orders are recorded with outcome
/// failure and denied; the order's reason and result (exit status, duration, post-check) go
/// into the details.
AuditEvent order_audit_event(const Order& order, const std::string& what, const OrderActor& actor,
                             std::optional<OrderState> from, TimePoint at);

}  // namespace triage::collector
