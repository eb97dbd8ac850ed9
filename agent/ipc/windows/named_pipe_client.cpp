// Placeholder for the `get-help` side of the named pipe on Windows, which comes in its own
// change. Until then no daemon listens: the call fails with kUnavailable, and get-help queues
// the request in the spool itself (get_help_command.cpp).
#include "agent/ipc/ipc_client.hpp"

namespace triage::agent::ipc {

Result<void> ipc_call(const std::filesystem::path& socket_path, const nlohmann::json&,
                      std::chrono::milliseconds,
                      const std::function<IpcNext(const nlohmann::json&)>&) {
  return fail(ErrorCode::kUnavailable,
              socket_path.string() + ": the agent has no local endpoint in this Windows build");
}

}  // namespace triage::agent::ipc
