#pragma once
// Installed programs as "Apps & features" lists them: the Uninstall keys of the 64-bit and
// 32-bit registry views and of every loaded user hive. Registry only; any user (other users'
// hives are listed only while loaded); a few hundred keys.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Fills SoftwareInfo.packages with WINDOWS_PROGRAM entries, arch "x64", "x86" or "user".
Result<void> collect_windows_programs(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
