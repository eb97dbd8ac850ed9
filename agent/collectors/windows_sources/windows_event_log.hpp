#pragma once
// Critical and error events of the last 24 hours in the System and Application logs, counted
// per (log, source) with the newest one's id and message: HealthInfo.event_log (as the journal
// on Linux). Event Log; any user reads both logs; at most kMaxEventsPerLog records per log.

#include <cstddef>
#include <string>

#include "agent/collectors/collect_context.hpp"
#include "agent/collectors/windows_sources/win_host.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Records read per log and run; more in 24 hours means a retry loop, and counts become lower
/// bounds (EventLogErrors.truncated).
inline constexpr std::size_t kMaxEventsPerLog = 2000;

/// One line for a technician: the rendered message, or the data values when the provider's
/// message file is missing; secrets redacted, at most `max_len` bytes.
std::string event_summary(const EventRecord& record, std::size_t max_len = 240);

Result<void> collect_windows_event_log(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
