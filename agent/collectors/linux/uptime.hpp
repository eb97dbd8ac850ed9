#pragma once
// Boot time from /proc/stat. Linux.

#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// The "btime" (seconds since the epoch) of /proc/stat.
std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat);
/// The uptime collector: the boot time.
Result<void> collect_uptime(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
