#pragma once
// A one-shot plain-HTTP request with the same deadlines and answer cap as https_request. Only
// for peers on the loopback interface (a test server, a local helpdesk behind a TLS proxy):
// callers check the host before using it.

#include "shared/transport/https_client.hpp"

namespace triage::transport {

/// Whether `host` is a loopback literal (127.0.0.0/8, ::1) or "localhost".
bool is_loopback_host(std::string_view host);

/// Sends `request` to host:port over plain TCP and returns the response; transport failures
/// and timeouts are errors, any HTTP status is a response. Blocks the calling thread.
Result<HttpResponse> http_request(const std::string& host, const std::string& port,
                                  HttpRequest request, const HttpsRequestOptions& options = {});

}  // namespace triage::transport
