#pragma once
// Crash reports of the last 30 days (apport, systemd-coredump, kdump). Linux.

#include <string>
#include <string_view>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Crashed program named by a crash file name.
std::string program_of_crash_file(std::string_view name, v1::CrashDump::Kind kind);
/// The crash_dumps collector: recent crash reports.
Result<void> collect_crash_dumps(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
