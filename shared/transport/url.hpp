#pragma once
// The collector address as users type it: wss://HOST:PORT[/path] or https://HOST:PORT[/path].

#include <string>
#include <string_view>

#include "shared/util/result.hpp"

namespace triage::transport {

struct Url {
  std::string scheme;  ///< "wss" or "https"
  std::string host;    ///< name or IP literal (brackets removed for IPv6)
  std::string port;    ///< defaults to 8443 (the collector's port)
  std::string path;    ///< "/" when absent
};

/// Parses a wss:// or https:// URL. Anything else (http, ws, user info, missing host,
/// bad port) is an error naming what is wrong. Without a port, `default_port` applies.
Result<Url> parse_url(std::string_view text, std::string_view default_port = "8443");

}  // namespace triage::transport
