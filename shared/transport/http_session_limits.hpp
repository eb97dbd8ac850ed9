#pragma once
// The bounds one HTTP connection works within, whichever its stream.

#include <chrono>
#include <cstddef>

namespace triage::transport {

struct HttpSessionLimits {
  /// Time for the first request to arrive once the session runs (after the TLS handshake).
  std::chrono::milliseconds first_request_timeout{10'000};
  /// An idle keep-alive connection waits this long for its next request; it is also the time
  /// to read one request, for the application to answer or decide an upgrade, and to write
  /// the response.
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1 * 1024 * 1024;
  /// The response to the request that reaches this count closes the connection.
  std::size_t max_requests = 100;
  /// A response written at or after this time closes the connection, and no wait for a
  /// request runs past it: requests do not keep a connection for ever. Default: no end.
  std::chrono::steady_clock::time_point end_of_life = std::chrono::steady_clock::time_point::max();
  /// False on a listener for staff and integrations only: upgrades are refused with 404.
  bool accept_websockets = true;
  /// After refusing an oversized request, what the client still sends is read and discarded
  /// for at most this long (and a bounded size) before the connection closes.
  std::chrono::milliseconds drain_timeout{5'000};
  /// Time for a clean close (TLS close_notify).
  std::chrono::milliseconds close_timeout{5'000};
};

}  // namespace triage::transport
