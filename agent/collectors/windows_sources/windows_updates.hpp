#pragma once
// Pending Windows updates from the Windows Update Agent (win_api::kWindowsUpdate): what the
// machine still needs, how many of those are security fixes, when an update was last installed
// and when the catalog was last searched. Any user; an online search that can take a minute,
// so the catalog gives this source its own budget (and the framework's cool-down when a search
// runs over it).

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Fills SoftwareInfo.updates (manager "Windows Update").
Result<void> collect_windows_updates(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
