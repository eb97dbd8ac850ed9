#pragma once
// Time zone from /etc/localtime, /etc/timezone or /etc/sysconfig/clock. Linux.

#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// "/usr/share/zoneinfo/Europe/Paris" -> "Europe/Paris"; "" when not a zoneinfo path.
std::string zone_from_localtime_link(std::string_view target);
/// The timezone collector: the configured time zone.
Result<void> collect_timezone(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
