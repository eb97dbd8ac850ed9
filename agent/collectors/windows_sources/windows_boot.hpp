#pragma once
// Boot time, time zone and the time service: when Windows last started (api "boot"), the zone
// it keeps (TimeZoneKeyName, as its IANA name) and how w32time is set to get its time (NTP
// servers or the domain hierarchy). Registry and one call; any user; cheap.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_boot(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
