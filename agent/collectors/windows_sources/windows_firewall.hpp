#pragma once
// Windows Defender Firewall: each profile (domain, private, public) on or off and its default
// for unsolicited inbound connections, Group Policy winning over local settings, and which
// profiles apply to the networks the machine is on now. Registry and one Win32 answer; any
// user; cheap.

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

Result<void> collect_windows_firewall(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
