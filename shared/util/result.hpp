#pragma once
// Errors as values at boundaries: Result<T> = tl::expected<T, Error>.

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace triage {

/// An expected failure: a message that names the thing and what to do about it.
struct Error {
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

/// Shorthand for `return fail("...")` in functions returning Result<T>.
inline tl::unexpected<Error> fail(std::string message) {
  return tl::unexpected<Error>(Error{std::move(message)});
}

/// Prefixes an error with context ("reading ca.pem: " + inner message).
inline tl::unexpected<Error> fail(std::string_view context, const Error& inner) {
  return tl::unexpected<Error>(Error{std::string(context) + ": " + inner.message});
}

}  // namespace triage
