#include "collector/auth/cookies.hpp"

#include <algorithm>
#include <cctype>

namespace triage::collector {

namespace {

bool is_token_char(unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '_'; }

// RFC 6265 cookie-name is an RFC 7230 token.
bool is_name_char(unsigned char c) {
  return std::isalnum(c) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::optional<std::string>> find_cookie(std::string_view header, std::string_view name) {
  if (header.size() > kMaxCookieHeaderBytes) {
    return fail(ErrorCode::kInvalid, "Cookie header is larger than 8 KiB");
  }
  std::optional<std::string> found;
  std::size_t pairs = 0;
  std::size_t start = 0;
  while (start <= header.size()) {
    auto end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    auto pair = trim_ows(header.substr(start, end - start));
    start = end + 1;
    if (pair.empty()) continue;  // tolerate "a=1;; b=2" and a trailing ';'

    if (++pairs > kMaxCookiePairs) return fail(ErrorCode::kInvalid, "too many cookies");
    auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return fail(ErrorCode::kInvalid, "malformed Cookie header: expected name=value pairs");
    }
    auto key = pair.substr(0, eq);
    auto value = pair.substr(eq + 1);
    if (!std::all_of(key.begin(), key.end(), [](unsigned char c) { return is_name_char(c); })) {
      return fail(ErrorCode::kInvalid, "malformed Cookie header: bad cookie name");
    }
    if (std::any_of(value.begin(), value.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      return fail(ErrorCode::kInvalid, "malformed Cookie header: control character in a value");
    }
    if (key != name) continue;
    if (found) {
      return fail(ErrorCode::kInvalid,
                  "cookie " + std::string(name) + " appears more than once; clear the cookies");
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (value.empty() || value.size() > kMaxSessionCookieValue ||
        !std::all_of(value.begin(), value.end(),
                     [](unsigned char c) { return is_token_char(c); })) {
      return fail(ErrorCode::kInvalid, "cookie " + std::string(name) + " is malformed");
    }
    found = std::string(value);
  }
  return found;
}

std::string session_cookie(std::string_view token, std::chrono::seconds max_age) {
  return std::string(kSessionCookie) + "=" + std::string(token) +
         "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
         std::to_string(std::max<long long>(0, max_age.count()));
}

std::string expired_session_cookie() {
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0";
}

bool is_unsafe_method(std::string_view method) {
  // Anything but the read-only methods, so an unusual verb cannot slip past the check.
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

}  // namespace triage::collector
