#pragma once
// Batteries and AC power: charge, charging state, design and full-charge capacity (wear),
// cycle count, maker and model. Sources: WMI root\WMI battery classes, Win32_Battery; any user;
// five small queries.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_battery(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
