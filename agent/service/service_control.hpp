#pragma once
// How the daemon lives under the system's service manager: the process set up for a long run,
// and the manager's request to stop delivered to the daemon's io_context.
// This header is the interface; each platform has one implementation (Linux:
// linux/service_control.cpp, SIGINT/SIGTERM from systemd or a terminal, one malloc arena).

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace triage::agent {

/// Process-wide settings for a daemon that idles most of its life; call once, first thing.
void prepare_daemon_process();

/// Listens for the system's request to stop this process. Destroying it stops listening.
class StopRequests {
 public:
  virtual ~StopRequests() = default;
};

using StopRequestsPtr = std::unique_ptr<StopRequests>;

/// Calls `on_stop(why)` on `ioc` once, when the system asks the agent to stop ("signal 15").
/// `ioc` must outlive the result.
StopRequestsPtr watch_stop_requests(boost::asio::io_context& ioc,
                                    std::function<void(const std::string& why)> on_stop);

}  // namespace triage::agent
