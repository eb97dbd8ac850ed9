#pragma once
// Pending reboot: the flags Windows leaves in the registry when a change needs a restart
// (servicing stack, Windows Update, files to replace at boot, a new computer name, a domain
// join) and since when. Registry only; any user; a few keys.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_pending_reboot(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
