#include "tests/support/haproxy_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/support/free_port.hpp"

namespace triage::testing {

namespace {

bool accepts(int port) {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(s);
  return ok;
}

}  // namespace

HaproxyServer::HaproxyServer(const std::vector<std::pair<std::string, int>>& servers) {
  if (!std::filesystem::exists(kBinary)) {
    throw std::runtime_error(std::string(kBinary) +
                             " is missing: install haproxy (installers/dev/install-deps.sh)");
  }
  port_ = free_loopback_port();
  const auto config = dir_.path() / "haproxy.cfg";
  {
    std::ofstream f(config);
    // `balance first`: every connection to the first server up, so a test knows which node
    // an agent lands on. Long client/server timeouts: agent WebSockets stay open for minutes.
    f << "global\n  maxconn 4096\n"
      << "defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10m\n"
      << "  timeout server 10m\n  retries 2\n  option redispatch\n"
      << "frontend agents\n  bind 127.0.0.1:" << port_ << "\n  default_backend nodes\n"
      << "backend nodes\n  balance first\n  default-server check inter 500ms fall 1 rise 1\n";
    for (const auto& [name, port] : servers) {
      f << "  server " << name << " 127.0.0.1:" << port << "\n";
    }
  }
  // -db: in the foreground, so the PID is HAProxy's own.
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{kBinary, "-db", "-f", config.string()}, dir_.path(), "haproxy");
  if (!eventually([&] { return accepts(port_) || !process_->running(); }) || !accepts(port_)) {
    const std::string log = process_->stderr_text() + process_->stdout_text();
    process_->stop();
    throw std::runtime_error("HAProxy did not start:\n" + log);
  }
}

HaproxyServer::~HaproxyServer() {
  if (process_) process_->stop();
}

}  // namespace triage::testing
