#pragma once
// Display adapters: model, vendor and driver version. Source: WMI Win32_VideoController; any
// user; one query.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_gpu(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
