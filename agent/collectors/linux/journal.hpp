#pragma once
// Error counts per unit from the systemd journal. Linux.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Error entries per unit in `journalctl -o json` output.
std::map<std::string, std::uint32_t> count_journal_errors(std::string_view json_lines);
/// The journal collector: error counts per unit over the last 24 hours.
Result<void> collect_journal(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
