#pragma once
// Sequential network steps with a deadline on a private io_context: start one asynchronous
// operation, run the context until it completes or the deadline passes, and in the second
// case cancel it (close the socket) and drain it. Lets a probe read as straight-line code
// while no step can outlast the probe's budget.

#include <chrono>
#include <functional>
#include <optional>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

namespace triage::agent {

using Done = std::function<void(const boost::system::error_code&)>;

/// Runs what `start` begins (it calls the Done it is given once); boost::asio::error::timed_out
/// when `deadline` came first, after `cancel` stopped the operation.
inline boost::system::error_code run_until(boost::asio::io_context& ioc,
                                           std::chrono::steady_clock::time_point deadline,
                                           const std::function<void(Done)>& start,
                                           const std::function<void()>& cancel) {
  std::optional<boost::system::error_code> result;
  start([&result](const boost::system::error_code& ec) { result = ec; });
  ioc.restart();
  while (!result && std::chrono::steady_clock::now() < deadline) {
    if (ioc.run_one_until(deadline) == 0 && ioc.stopped()) break;
  }
  if (result) return *result;
  cancel();
  ioc.restart();
  while (!result && ioc.run_one() > 0) {
  }
  return boost::asio::error::timed_out;
}

}  // namespace triage::agent
