#pragma once
// Batteries and AC power from /sys/class/power_supply. Linux.

#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// A power_supply "status" text to its enum.
v1::Battery::Status battery_status(std::string_view text);
/// The battery collector: system batteries and AC power.
Result<void> collect_battery(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
