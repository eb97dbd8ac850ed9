#pragma once
// The endpoint's veto on what an order runs, bound to content rather than to names. A signed
// order names an action; the agent takes that action's definition from its own copy (the
// built-ins embedded in this binary, or a custom definition file whose SHA-256 the local
// policy pins), renders the argv and the post-check itself from the order's parameters after
// validating them with the same typed rules as the collector, and runs the order only when
// the order's argv, post-check, risk and limits are exactly that rendering. So whoever holds
// the signing key can still choose which allowed action runs and with which valid
// parameters, but not what a given action id executes.

#include "agent/actions/action_policy.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/order.pb.h"

namespace triage::agent {

/// kDenied with the reason when the order's content is not what this endpoint's definition of
/// its action renders, when a custom action is not pinned by `policy.allow_custom`, or when a
/// built-in's own guard refuses the parameters (restart-service: unit_guard.hpp).
Result<void> check_order_content(const v1::OrderPayload& order, const ActionPolicy& policy);

}  // namespace triage::agent
