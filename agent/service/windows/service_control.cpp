// Placeholder for the Windows service (Service Control Manager: start, stop, pre-shutdown),
// which comes in its own change. Until then `triage-agent.exe run` is a console program:
// Ctrl+C, Ctrl+Break or closing its console asks it to stop, through Asio's signal_set
// (SIGINT, SIGBREAK; the C runtime maps console events to them).
#include <csignal>

#include <boost/asio/signal_set.hpp>

#include "agent/service/service_control.hpp"

namespace triage::agent {

namespace {

class ConsoleStopRequests final : public StopRequests {
 public:
  ConsoleStopRequests(boost::asio::io_context& ioc,
                      std::function<void(const std::string& why)> on_stop)
      : signals_(ioc, SIGINT, SIGBREAK, SIGTERM) {
    signals_.async_wait(
        [on_stop = std::move(on_stop)](const boost::system::error_code& ec, int signal) {
          if (ec) return;
          on_stop("signal " + std::to_string(signal));
        });
  }
  ~ConsoleStopRequests() override {
    boost::system::error_code ignored;
    signals_.cancel(ignored);
  }

 private:
  boost::asio::signal_set signals_;
};

}  // namespace

void prepare_daemon_process() {}

StopRequestsPtr watch_stop_requests(boost::asio::io_context& ioc,
                                    std::function<void(const std::string& why)> on_stop) {
  return std::make_unique<ConsoleStopRequests>(ioc, std::move(on_stop));
}

}  // namespace triage::agent
