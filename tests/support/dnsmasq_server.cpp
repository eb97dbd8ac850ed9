#include "tests/support/dnsmasq_server.hpp"

#include <filesystem>
#include <stdexcept>

#include "tests/support/free_port.hpp"

namespace triage::testing {

DnsmasqServer::DnsmasqServer(const std::vector<std::pair<std::string, std::string>>& answers,
                             const std::vector<std::string>& missing) {
  if (!std::filesystem::exists(kBinary)) {
    throw std::runtime_error(std::string(kBinary) +
                             " is missing: install dnsmasq-base (installers/dev/install-deps.sh)");
  }
  // The free port is a TCP one and dnsmasq binds UDP too, later: another test may take it
  // meanwhile, so a start that finds the address in use tries another port.
  std::string log;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_loopback_port();
    // -k: foreground; -C /dev/null: no configuration file of the machine's; no resolv.conf,
    // no hosts file, no upstream: only what the test gives, everything else refused.
    std::vector<std::string> argv = {kBinary,
                                     "-k",
                                     "-C",
                                     "/dev/null",
                                     "--port=" + std::to_string(port_),
                                     "--listen-address=127.0.0.1",
                                     "--bind-interfaces",
                                     "--no-resolv",
                                     "--no-hosts",
                                     "--user=root",
                                     "--log-facility=-",
                                     "--pid-file=" + (dir_.path() / "dnsmasq.pid").string()};
    for (const auto& [name, address] : answers) {
      argv.push_back("--address=/" + name + "/" + address);
    }
    for (const auto& name : missing) argv.push_back("--address=/" + name + "/");
    process_ = std::make_unique<ChildProcess>(argv, dir_.path(), "dnsmasq");
    // It logs "started" once its sockets are bound.
    eventually([&] {
      return process_->stderr_text().find("started") != std::string::npos || !process_->running();
    });
    if (process_->running() && process_->stderr_text().find("started") != std::string::npos) {
      return;
    }
    log = process_->stderr_text();
    process_->stop();
    process_.reset();
    if (log.find("in use") == std::string::npos) break;
  }
  throw std::runtime_error("dnsmasq did not start:\n" + log);
}

DnsmasqServer::~DnsmasqServer() {
  if (process_) process_->stop();
}

}  // namespace triage::testing
