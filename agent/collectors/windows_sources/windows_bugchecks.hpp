#pragma once
// Stop errors (blue screens) of the last 30 days: HealthInfo.bugchecks, and the kernel dumps
// they left as HealthInfo.crash_dumps of kind MINIDUMP. System log and C:\Windows\Minidump;
// any user reads the events, an administrator the dump folder; at most 100 events.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_bugchecks(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
