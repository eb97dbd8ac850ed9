#pragma once
// Drive letters with their file system, label, size, free space and dirty bit:
// HardwareInfo.filesystems (as filesystems on Linux), so the disk rules read Windows volumes
// as mount points "C:\". Win32 ("volumes" answer); any user (the dirty bit needs an
// administrator); one call per local volume, none that can hang on a network drive.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_volumes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
