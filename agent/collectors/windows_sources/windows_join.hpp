#pragma once
// Domain and Entra ID join state: workgroup, Active Directory domain (its DNS name), Entra ID
// (its tenant) or both (hybrid). Source: api "join_state" (NetGetJoinInformation,
// NetGetAadJoinInformation); any user; two calls.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_join(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
