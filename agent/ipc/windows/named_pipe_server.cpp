// Placeholder for the daemon's named pipe on Windows (an ACL letting interactive users
// connect, the caller's identity from the pipe's client process and token), which comes in its
// own change. Until then the daemon opens no local endpoint: start() says so in the log and
// succeeds, and `get-help` (whose client finds no pipe) queues its request in the spool
// itself, which the daemon sends with its next report.
#include <spdlog/spdlog.h>

#include "agent/ipc/ipc_server.hpp"

namespace triage::agent::ipc {
namespace {

class NoIpcServer final : public IpcServer {
 public:
  explicit NoIpcServer(std::filesystem::path path) : path_(std::move(path)) {}

  Result<void> start() override {
    spdlog::warn(
        "local endpoint {}: not available in this Windows build; get-help queues its "
        "requests in the spool",
        path_.string());
    return {};
  }
  void stop() override {}
  const std::filesystem::path& path() const override { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

IpcServerPtr make_ipc_server(boost::asio::io_context&, IpcServerOptions options, IpcHandler) {
  return std::make_unique<NoIpcServer>(std::move(options.socket_path));
}

}  // namespace triage::agent::ipc
