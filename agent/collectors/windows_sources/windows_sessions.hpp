#pragma once
// Logged-on users: each Remote Desktop Services session with a user (the console, RDP sessions,
// disconnected ones), its station, client computer and logon time. Source: api "sessions"
// (WTSEnumerateSessionsW, WTSQuerySessionInformationW); any user; one call per session.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_sessions(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
