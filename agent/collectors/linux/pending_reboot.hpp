#pragma once
// Whether the machine waits for a reboot, and why. Linux.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// The pending_reboot collector: reboot-required flags and a removed running kernel.
Result<void> collect_pending_reboot(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
