#pragma once
// A real HAProxy (Debian's haproxy) for tests, in TCP mode on 127.0.0.1 in front of
// collector nodes: TLS passes through to the node, so mutual TLS still ends there. Its config
// sits in a temporary directory; it runs in the foreground and is stopped by its PID.
// Connections go to the first server in the list that passes its health check (a TCP connect
// every 500 ms; one failure takes it out), and a connection to a server that refuses is sent
// to the next, so killing a node moves new connections to another at once.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace triage::testing {

class HaproxyServer {
 public:
  /// Debian's haproxy binary.
  static constexpr const char* kBinary = "/usr/sbin/haproxy";

  /// Starts it in front of `servers` (name, port on 127.0.0.1), in order of preference, and
  /// waits until it accepts connections; throws with its log on failure.
  explicit HaproxyServer(const std::vector<std::pair<std::string, int>>& servers);
  ~HaproxyServer();
  HaproxyServer(const HaproxyServer&) = delete;
  HaproxyServer& operator=(const HaproxyServer&) = delete;

  /// The port agents connect to.
  int port() const { return port_; }

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace triage::testing
