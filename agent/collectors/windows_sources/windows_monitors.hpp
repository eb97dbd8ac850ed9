#pragma once
// Monitors: maker, model, serial number and year of manufacture of each display, internal
// panels included, from its EDID. Source: WMI root\WMI WmiMonitorID; any user; one query.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_monitors(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
