#pragma once
// Application crashes of the last 7 days: HealthInfo.crash_dumps of kind WER (as crash_dumps
// on Linux), one per crash however many traces it left (an Application Error event, a Windows
// Error Reporting event, a report folder). Event Log and the WER report folders (their
// Report.wer, UTF-16); any user reads the events, an administrator the machine's reports;
// at most kMaxCrashEvents events and kMaxReportFolders folders.

#include <cstddef>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

inline constexpr std::size_t kMaxCrashEvents = 400;
inline constexpr std::size_t kMaxReportFolders = 60;

Result<void> collect_windows_crashes(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
