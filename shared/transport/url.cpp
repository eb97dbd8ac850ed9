#include "shared/transport/url.hpp"

#include <charconv>

namespace triage::transport {

Result<Url> parse_url(std::string_view text, std::string_view default_port) {
  auto bad = [&](const std::string& why) {
    return fail("URL `" + std::string(text) + "`: " + why);
  };
  Url url;
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return bad("expected wss://HOST:PORT");
  url.scheme = std::string(text.substr(0, scheme_end));
  if (url.scheme != "wss" && url.scheme != "https") {
    return bad("scheme must be wss or https (TLS is mandatory)");
  }
  auto rest = text.substr(scheme_end + 3);
  auto path_start = rest.find('/');
  auto authority = rest.substr(0, path_start);
  url.path = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (authority.find('@') != std::string_view::npos) return bad("user info is not allowed");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    url.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return bad("missing host");
  if (port_text.empty()) {
    url.port = std::string(default_port);
  } else {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return bad("port must be 1-65535");
    }
    url.port = std::to_string(value);
  }
  return url;
}

}  // namespace triage::transport
