#pragma once
// Block devices, md RAID arrays and SMART health. Linux.

#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Decodes `smartctl -j` output; `exit_code` is smartctl's bit-mask status (-1 unknown).
v1::SmartStatus parse_smartctl_json(std::string_view text, int exit_code);
/// The block_devices collector: disks, RAID arrays and SMART health.
Result<void> collect_block_devices(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
