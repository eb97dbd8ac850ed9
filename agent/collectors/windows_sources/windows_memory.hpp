#pragma once
// Physical memory, page files and commit charge: HardwareInfo.memory (as meminfo on Linux) and
// HealthInfo.commit. Win32 (GlobalMemoryStatusEx, GetPerformanceInfo) and WMI
// Win32_PageFileUsage; any user; cheap.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_memory(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
