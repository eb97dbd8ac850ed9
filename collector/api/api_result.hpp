#pragma once
// What a REST handler returns: the response it built, or why it failed. Handlers build only
// successes; the router (api_router.cpp) is the one place that turns a failure into a status
// and the API's error body {"error": {"code", "message"}}.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "collector/api/json_response.hpp"
#include "shared/util/result.hpp"

namespace triage::collector {

/// Why a REST call failed. Usually an `Error` from a service, the store or a field reader,
/// whose ErrorCode the router maps to a status. A refusal no ErrorCode says (401, 429, a code
/// word of its own) also names its status, code word and the headers that go with it.
struct ApiError {
  /// Implicit on purpose: a handler propagates a failed `Result` as it is, with
  /// `return tl::unexpected(r.error());` or `return fail(ErrorCode::kInvalid, "...");`.
  ApiError(Error e) : error(std::move(e)) {}  // NOLINT(google-explicit-constructor)

  Error error;
  /// When set, the status the router answers instead of the one of `error.code`, with `code`.
  std::optional<http::status> status;
  std::string code;  ///< the code word that goes with `status` ("unauthorized", ...)
  /// Headers the refusal carries (Retry-After, WWW-Authenticate).
  std::vector<std::pair<http::field, std::string>> headers;
};

/// A handler's outcome. A `Result<HttpResponse>` converts to it.
using ApiResult = tl::expected<HttpResponse, ApiError>;

/// A refusal with its own status and code word, e.g. 403 `wrong_password`.
tl::unexpected<ApiError> refuse(http::status status, std::string code, std::string message);

/// 401 `unauthorized`: the caller did not prove who they are.
tl::unexpected<ApiError> unauthorized(std::string message);

/// 429 `rate_limited`, with `Retry-After: retry_after` (whole seconds).
tl::unexpected<ApiError> rate_limited(std::string message, std::chrono::seconds retry_after);

}  // namespace triage::collector
