#pragma once
// The named pipe behind an IPC endpoint path. The neutral code names endpoints by path (the
// service's, one under a state directory, one from the config); on Windows each path maps to
// one pipe name, the same for the server and the client. Windows only.

#include <filesystem>
#include <string>

namespace triage::agent::ipc {

/// `\\.\pipe\...` paths are pipe names already; any other path maps to
/// `\\.\pipe\triage-agent-<16 hex digits>`, a hash of the path without regard to case.
std::wstring pipe_name_for(const std::filesystem::path& endpoint);

}  // namespace triage::agent::ipc
