#pragma once
// A recorded Windows machine as a Host: the Windows sources read it through windows() (a
// recorded WinHost over the same directory); the clock and the administrator flag come from
// machine.json ({"now_unix_ms": ..., "is_admin": true}), so ages are reproducible. The POSIX
// queries of Host (statvfs, adjtimex, netlink, programs) answer "not available": the Windows
// sources never ask them.

#include <filesystem>

#include "agent/collectors/host.hpp"

namespace triage::agent {

HostPtr make_recorded_windows_machine(const std::filesystem::path& dir);

}  // namespace triage::agent
