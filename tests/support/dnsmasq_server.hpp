#pragma once
// A real DNS server for tests (Debian's dnsmasq, from dnsmasq-base) on 127.0.0.1 at a free
// port: it answers the names it is given, says NXDOMAIN for the names it is told do not exist,
// and refuses every other name (it has no upstream server). It runs in the foreground from a
// temporary directory and is stopped by its PID.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace triage::testing {

class DnsmasqServer {
 public:
  static constexpr const char* kBinary = "/usr/sbin/dnsmasq";

  /// `answers`: name and address (IPv4 or IPv6; a name may appear twice); `missing`: names
  /// answered NXDOMAIN. Waits until it serves; throws with its log on failure.
  DnsmasqServer(const std::vector<std::pair<std::string, std::string>>& answers,
                const std::vector<std::string>& missing);
  ~DnsmasqServer();
  DnsmasqServer(const DnsmasqServer&) = delete;
  DnsmasqServer& operator=(const DnsmasqServer&) = delete;

  int port() const { return port_; }

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace triage::testing
