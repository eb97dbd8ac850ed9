#pragma once
// The processor: model, vendor and rated speed from the registry; sockets, cores and logical
// processors (api "processors": GetLogicalProcessorInformationEx); whether Windows runs as a
// guest of a hypervisor. Registry and one call; any user; cheap.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_cpu(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
