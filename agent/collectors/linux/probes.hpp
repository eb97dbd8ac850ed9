#pragma once
// Active probes: gateway, DNS through each nameserver, collector. Linux.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// The probes collector: gateway, DNS and collector reachability (live machine only).
Result<void> collect_probes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
