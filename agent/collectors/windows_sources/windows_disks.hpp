#pragma once
// Physical disks: model, serial, size, media type (SSD, HDD), bus (NVMe, SATA, USB, RAID) and
// the drive's own failure prediction. Sources: WMI Storage Management (MSFT_PhysicalDisk),
// Win32_DiskDrive where that is missing, MSStorageDriver_FailurePredictStatus; any user for the
// first two, the prediction needs an administrator; three WMI queries.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_disks(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
