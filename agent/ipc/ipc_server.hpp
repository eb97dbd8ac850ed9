#pragma once
// The daemon's local socket for `get-help`: a Unix stream socket, mode 0660, owned by root and
// a configurable group. Every peer is treated as hostile: its uid comes from SO_PEERCRED (never
// from what it says), one request per connection, a bounded frame, a deadline for the request
// and a cap on concurrent connections. Runs on the daemon's io_context.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <nlohmann/json.hpp>

#include "shared/util/result.hpp"

namespace triage::agent::ipc {

/// Who is on the other end, from the kernel.
struct PeerCredentials {
  uid_t uid = 0;
  pid_t pid = 0;
  std::string user;  ///< account name of uid ("" when it has none)
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
  std::filesystem::path socket_path;
  /// Group allowed to connect; falls back to root's when it does not exist.
  std::string group = "triage";
  std::chrono::milliseconds request_timeout{5000};
  /// A connection is closed after this long whatever happens (bounded waits for tickets).
  std::chrono::milliseconds max_lifetime{60'000};
  std::size_t max_connections = 16;
};

class IpcServer {
 public:
  IpcServer(boost::asio::io_context& ioc, IpcServerOptions options, IpcHandler handler);
  ~IpcServer();

  /// Binds the socket (replacing a stale one), sets owner, group and mode, starts accepting.
  Result<void> start();
  void stop();
  const std::filesystem::path& path() const { return options_.socket_path; }

 private:
  void do_accept();

  boost::asio::io_context& ioc_;
  IpcServerOptions options_;
  IpcHandler handler_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::shared_ptr<std::size_t> live_connections_;
  bool bound_ = false;
};

}  // namespace triage::agent::ipc
