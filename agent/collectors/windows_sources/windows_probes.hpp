#pragma once
// Active probes on Windows: the default gateway, DNS through the DNS Client's servers, the
// collector (network_probes.hpp runs them; this source finds the Windows targets).

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_probes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
