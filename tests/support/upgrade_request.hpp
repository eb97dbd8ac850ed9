#pragma once
// A WebSocket upgrade request as an agent sends it, for tests that only need the server to
// see an upgrade (the key is RFC 6455's sample nonce).

#include <string>

#include "shared/transport/http_types.hpp"

namespace triage::testing {

/// GET /agent/v1 asking for a WebSocket, with `host` as its Host header.
inline transport::HttpRequest websocket_upgrade_request(const std::string& host = "127.0.0.1") {
  namespace http = transport::http;
  transport::HttpRequest request{http::verb::get, "/agent/v1", 11};
  request.set(http::field::host, host);
  request.set(http::field::connection, "Upgrade");
  request.set(http::field::upgrade, "websocket");
  request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  request.set(http::field::sec_websocket_version, "13");
  return request;
}

}  // namespace triage::testing
