#pragma once
// Memory and swap totals from /proc/meminfo. Linux.

#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Memory and swap of /proc/meminfo text (MemAvailable estimated on kernels without it).
v1::Memory parse_meminfo(std::string_view text);
/// The meminfo collector: memory and swap totals.
Result<void> collect_meminfo(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
