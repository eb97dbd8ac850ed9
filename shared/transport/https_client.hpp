#pragma once
// A one-shot HTTPS request with a deadline on every step: for enrollment, triagectl and tests.

#include <chrono>
#include <cstddef>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "shared/transport/http_types.hpp"
#include "shared/util/result.hpp"

namespace triage::transport {

struct HttpsRequestOptions {
  std::chrono::milliseconds timeout{15'000};  ///< whole exchange
  /// Name resolution, TCP connect and TLS handshake; 0: only `timeout` applies.
  std::chrono::milliseconds connect_timeout{0};
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  /// A body over max_response_bytes is cut there (the status still counts) instead of
  /// failing the request: for callers that need the answer's status, not its body.
  bool truncate_oversized_body = false;
};

/// Sends `request` to host:port over TLS (verified with `tls`, hostname/IP checked, SNI set)
/// and returns the response. Transport and TLS failures are errors; any HTTP status is a
/// response. Runs its own event loop: call it from a thread that may block.
Result<HttpResponse> https_request(boost::asio::ssl::context& tls, const std::string& host,
                                   const std::string& port, HttpRequest request,
                                   const HttpsRequestOptions& options = {});

}  // namespace triage::transport
