#pragma once
// Windows services from the Service Control Manager (win_api::kServices): state, start type,
// trigger start and last exit code of every Win32 service; automatic services that are not
// running, and those of them that stopped with an error. Any user; one enumeration plus two
// configuration queries per service.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Fills SoftwareInfo.services (manager "Service Control Manager").
Result<void> collect_windows_services(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
