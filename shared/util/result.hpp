#pragma once
// Errors as values at boundaries: Result<T> = tl::expected<T, Error>.

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace triage {

/// Broad kind of failure, for callers that must react differently (HTTP status, retry).
enum class ErrorCode {
  kFailed,       ///< anything else
  kInvalid,      ///< the input is wrong; fix it and try again
  kNotFound,     ///< the thing does not exist
  kConflict,     ///< it exists already / state does not allow it
  kDenied,       ///< not allowed (expired token, revoked device, wrong role)
  kUnavailable,  ///< temporarily not possible (busy, overloaded)
};

/// An expected failure: a message that names the thing and what to do about it.
struct Error {
  std::string message;
  ErrorCode code = ErrorCode::kFailed;
};

template <class T>
using Result = tl::expected<T, Error>;

/// Shorthand for `return fail("...")` in functions returning Result<T>.
inline tl::unexpected<Error> fail(std::string message) {
  return tl::unexpected<Error>(Error{std::move(message)});
}

/// A failure of a specific kind.
inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{std::move(message), code});
}

/// Prefixes an error with context ("reading ca.pem: " + inner message).
inline tl::unexpected<Error> fail(std::string_view context, const Error& inner) {
  return tl::unexpected<Error>(Error{std::string(context) + ": " + inner.message, inner.code});
}

}  // namespace triage
