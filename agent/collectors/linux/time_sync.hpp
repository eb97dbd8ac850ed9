#pragma once
// Clock synchronisation: the kernel's state and the time daemon. Linux.

#include <string>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/fs_root.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Time daemon running or configured under `fs` ("" when none found).
std::string detect_time_service(const FsRoot& fs);
/// The time_sync collector: whether the clock is synchronised, its offset, and by which daemon.
Result<void> collect_time_sync(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
