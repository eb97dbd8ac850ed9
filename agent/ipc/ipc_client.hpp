#pragma once
// The `get-help` side of the local endpoint: blocking, with a deadline on every step.
// This header is the interface; each platform has one implementation (POSIX:
// posix/unix_socket_client.cpp, a Unix stream socket; Windows: windows/named_pipe_client.cpp,
// the agent's named pipe, used only when SYSTEM or Administrators own it).

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent::ipc {

/// What to do after a reply: stop (nullopt), or keep reading for up to this much longer.
using IpcNext = std::optional<std::chrono::milliseconds>;

/// Connects to `socket_path`, sends `request`, then calls `on_reply` for each message until
/// it says stop, the daemon closes the connection, or the deadline passes (`first_reply`
/// for the first message, then whatever on_reply asked for). Fails with
/// ErrorCode::kUnavailable when no daemon listens there (so the caller can fall back), and
/// with kDenied when this user may not use the socket.
Result<void> ipc_call(const std::filesystem::path& socket_path, const nlohmann::json& request,
                      std::chrono::milliseconds first_reply,
                      const std::function<IpcNext(const nlohmann::json&)>& on_reply);

}  // namespace triage::agent::ipc
