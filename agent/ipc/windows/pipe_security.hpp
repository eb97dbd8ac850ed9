#pragma once
// Who may use the agent's named pipe, and how a client knows the pipe is the agent's.
// Windows only.

#include "shared/util/windows/windows_api.hpp"

#include <memory>

#include "shared/util/result.hpp"

namespace triage::agent::ipc {

/// The pipe's security descriptor, as SDDL: owned by Administrators; no network logon; SYSTEM
/// and Administrators full control; interactive users (console and Remote Desktop) may read,
/// write and read attributes, but not FILE_CREATE_PIPE_INSTANCE, so no user can add a server
/// instance of their own behind the agent's name.
inline constexpr wchar_t kAgentPipeSddl[] =
    L"O:BAD:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x0012018b;;;IU)";

/// A self-relative security descriptor (freed with LocalFree).
struct LocalFreeDeleter {
  void operator()(void* p) const { ::LocalFree(p); }
};
using SecurityDescriptorPtr = std::unique_ptr<void, LocalFreeDeleter>;

/// kAgentPipeSddl as a security descriptor for CreateNamedPipeW.
Result<SecurityDescriptorPtr> agent_pipe_security();

/// Fails with kDenied unless `pipe` is owned by SYSTEM or Administrators: a pipe of the same
/// name created by an ordinary user (the agent not running) is never talked to.
Result<void> check_agent_pipe_owner(HANDLE pipe);

}  // namespace triage::agent::ipc
