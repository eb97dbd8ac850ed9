#pragma once
// CPU model, topology and frequency from /proc/cpuinfo and cpufreq. Linux.

#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Model, vendor and topology of /proc/cpuinfo text (x86 and ARM layouts).
v1::Cpu parse_cpuinfo(std::string_view text);
/// The cpuinfo collector: CPU model, topology and frequency.
Result<void> collect_cpuinfo(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
