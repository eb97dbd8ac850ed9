#pragma once
// The Event Log of the running machine, read for WinHost::events(). Windows only.

#include <vector>

#include "agent/collectors/windows_sources/win_host.hpp"

namespace triage::agent {

/// Records of `query.log`, newest first, at most query.max_records: provider, id, level, time,
/// the EventData/UserData values as text and the rendered message (empty when the provider's
/// message file is missing). kNotFound for a missing channel, kDenied when this account may not
/// read it, kUnavailable when the Event Log does not answer (or the system has none). A read
/// that stalls after some records returns those: they are the newest.
Result<std::vector<EventRecord>> read_event_log(const EventQuery& query);

}  // namespace triage::agent
