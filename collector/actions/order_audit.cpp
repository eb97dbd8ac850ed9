#include "collector/actions/order_audit.hpp"

namespace triage::collector {

AuditEvent order_audit_event(const Order& order, const std::string& what, const OrderActor& actor,
                             std::optional<OrderState> from, TimePoint at) {
  AuditEvent e;
  e.at = at;
  e.actor = actor.name;
  e.actor_kind = actor.kind;
  e.source = actor.source;
  e.type = "order." + what;
  e.target = "order:" + order.id;
  if (order.state == OrderState::kFailed) e.outcome = AuditOutcome::kFailure;
  if (order.state == OrderState::kRefused) e.outcome = AuditOutcome::kDenied;
  e.details = {{"ticket_id", order.ticket_id},
               {"device_id", order.device_id},
               {"action", order.action_id},
               {"action_version", order.action_version},
               {"definition_sha256", order.definition_sha256},
               {"risk", order.risk},
               {"state", order_state_name(order.state)},
               {"requested_by", order.requested_by}};
  if (from) e.details["from_state"] = order_state_name(*from);
  if (!order.requested_credential.empty()) {
    e.details["requested_credential"] = order.requested_credential;
  }
  if (!order.approved_by.empty()) e.details["approved_by"] = order.approved_by;
  if (!order.approved_credential.empty()) {
    e.details["approved_credential"] = order.approved_credential;
  }
  if (!order.reason.empty()) e.details["reason"] = order.reason;
  if (what == "requested") {
    e.details["argv"] = order.argv;
    e.details["params"] = order.params;
  }
  if (order_state_final(order.state) && order.result.is_object() && !order.result.empty()) {
    // Exit status, signal, timeout, duration, truncation and the post-check's outcome; the
    // post-check's output stays on the ticket.
    auto result = order.result;
    if (result.contains("post_check")) result["post_check"].erase("output");
    e.details["result"] = std::move(result);
  }
  return e;
}

}  // namespace triage::collector
