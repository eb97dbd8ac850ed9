#pragma once
// The console's session cookie: strict, bounded parsing of the Cookie request header and the
// Set-Cookie values the collector sends. Pure string functions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "shared/util/result.hpp"

namespace triage::collector {

// `__Host-`: browsers accept it only with Secure, Path=/ and no Domain, so a sibling host or a
// plain-HTTP page cannot set or shadow it.
inline constexpr std::string_view kSessionCookie = "__Host-triage_session";
inline constexpr std::size_t kMaxCookieHeaderBytes = 8 * 1024;
inline constexpr std::size_t kMaxCookiePairs = 64;
inline constexpr std::size_t kMaxSessionCookieValue = 128;

/// The value of cookie `name` in a Cookie header ("a=1; b=2"), or nothing when absent.
/// kInvalid when the header is oversized or malformed, when `name` appears more than once
/// (a planted duplicate must not choose the session), or when its value is not a token
/// (1-128 of [A-Za-z0-9_-]). Other cookies' values are not interpreted.
Result<std::optional<std::string>> find_cookie(std::string_view header, std::string_view name);

/// "__Host-triage_session=<token>; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=<s>"
std::string session_cookie(std::string_view token, std::chrono::seconds max_age);
/// The Set-Cookie value that makes the browser forget the session cookie.
std::string expired_session_cookie();

/// True for methods that may change state and so need the CSRF header with a cookie.
bool is_unsafe_method(std::string_view method);

}  // namespace triage::collector
