#pragma once
// The daemon's local endpoint for `get-help`. Every peer is treated as hostile: who it is comes
// from the operating system (never from what it says), one request per connection, a bounded
// frame, a deadline for the request and a cap on concurrent connections. Runs on the daemon's
// io_context.
// This header is the interface; each platform has one implementation. POSIX
// (posix/unix_socket_server.cpp): a Unix stream socket, mode 0660, owned by root and a
// configurable group, the peer's uid and pid from SO_PEERCRED. Windows
// (windows/named_pipe_server.cpp): a named pipe interactive users may open, the peer's pid from
// GetNamedPipeClientProcessId and its account from its token.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent::ipc {

/// Who is on the other end, from the kernel.
struct PeerCredentials {
  std::uint32_t uid = 0;  ///< the local account's numeric id (POSIX uid; Windows: the SID's RID)
  std::uint32_t pid = 0;
  std::string user;  ///< account name of uid ("" when it has none; Windows: "DOMAIN\name")
};

/// Replies to one request. Safe to keep after the connection went away (calls become no-ops).
class IpcReply {
 public:
  virtual ~IpcReply() = default;
  /// Sends a progress message; `final` closes the connection after it is written.
  virtual void send(const nlohmann::json& message, bool final) = 0;
};
using IpcReplyPtr = std::shared_ptr<IpcReply>;

/// Handles one request (a JSON object) from a peer.
using IpcHandler =
    std::function<void(const nlohmann::json& request, const PeerCredentials& peer, IpcReplyPtr)>;

struct IpcServerOptions {
  /// Where the server listens: a socket path on POSIX; on Windows a `\\.\pipe\` name, or any
  /// path, which names the pipe windows/pipe_name.hpp derives from it.
  std::filesystem::path socket_path;
  /// Group allowed to connect (POSIX); falls back to root's when it does not exist.
  std::string group = "triage";
  std::chrono::milliseconds request_timeout{5000};
  /// A connection is closed after this long whatever happens (bounded waits for tickets).
  std::chrono::milliseconds max_lifetime{60'000};
  std::size_t max_connections = 16;
};

/// The listening endpoint. Destroying it stops it.
class IpcServer {
 public:
  virtual ~IpcServer() = default;

  /// Binds the endpoint (replacing a stale one), restricts who may connect, starts accepting.
  virtual Result<void> start() = 0;
  /// Stops accepting and removes the endpoint; open connections finish on their own.
  virtual void stop() = 0;
  /// Where it listens.
  virtual const std::filesystem::path& path() const = 0;
};

using IpcServerPtr = std::unique_ptr<IpcServer>;

/// This platform's server on `ioc`; `handler` is called on `ioc` for each request.
IpcServerPtr make_ipc_server(boost::asio::io_context& ioc, IpcServerOptions options,
                             IpcHandler handler);

}  // namespace triage::agent::ipc
