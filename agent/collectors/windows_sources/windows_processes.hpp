#pragma once
// Running processes on Windows (win_api::kProcesses): counts, and the busiest by CPU and the
// largest by working set with owner and redacted command line. Any user (other users'
// processes lack owner and command line unless the agent runs elevated); two Toolhelp samples
// ~250 ms apart.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Fills SoftwareInfo.top_processes and process_summary.
Result<void> collect_windows_processes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
