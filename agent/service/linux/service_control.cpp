// Service control on Linux: systemd (or a terminal) asks the daemon to stop with SIGTERM or
// SIGINT, delivered through Asio's signal_set; glibc keeps one malloc arena.
#include <malloc.h>

#include <csignal>

#include <boost/asio/signal_set.hpp>

#include "agent/service/service_control.hpp"

namespace triage::agent {

namespace {

class SignalStopRequests final : public StopRequests {
 public:
  SignalStopRequests(boost::asio::io_context& ioc,
                     std::function<void(const std::string& why)> on_stop)
      : signals_(ioc, SIGINT, SIGTERM) {
    signals_.async_wait(
        [on_stop = std::move(on_stop)](const boost::system::error_code& ec, int signal) {
          if (ec) return;
          on_stop("signal " + std::to_string(signal));
        });
  }
  ~SignalStopRequests() override {
    boost::system::error_code ignored;
    signals_.cancel(ignored);
  }

 private:
  boost::asio::signal_set signals_;
};

}  // namespace

void prepare_daemon_process() {
  // One heap for both threads, trimmed after every snapshot: the idle agent stays small.
  // (Snapshots themselves run in a child process: see snapshot_process.hpp.)
  ::mallopt(M_ARENA_MAX, 1);
}

StopRequestsPtr watch_stop_requests(boost::asio::io_context& ioc,
                                    std::function<void(const std::string& why)> on_stop) {
  return std::make_unique<SignalStopRequests>(ioc, std::move(on_stop));
}

}  // namespace triage::agent
