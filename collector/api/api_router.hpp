#pragma once
// Routes REST requests to handlers, authenticates them, and turns every failure into the
// API's JSON error shape: the one place that maps an Error to an HTTP status. Handlers are
// synchronous, run on the blocking worker pool and build only successes (api_result.hpp).

#include <functional>
#include <string>
#include <vector>

#include "collector/api/api_context.hpp"
#include "collector/api/api_result.hpp"

namespace triage::collector {

enum class Access { kPublic, kAuthenticated };

/// One REST route: who may call it and what answers it.
struct RouteSpec {
  using Handler = ApiResult (*)(ApiServices&, ApiRequest&);
  http::verb method;
  std::string pattern;  ///< "/api/v1/tickets/{id}": "{name}" segments capture
  Access access;
  Role min_role;  ///< for kAuthenticated routes
  Handler handler;
};

/// Every route the collector serves. The OpenAPI document must list exactly these, with the
/// same roles (a test holds the two together).
std::vector<RouteSpec> api_routes();

/// The status and JSON error body of a failure: `error.status` and `error.code` when set, else
/// those of `error.error.code` (kInvalid 400 `invalid_request`, kNotFound 404 `not_found`,
/// kConflict 409 `conflict`, kDenied 403 `forbidden`, kUnavailable 503 `unavailable`). A
/// kFailed error is a 500 `internal` whose message tells the client only to see the log: its
/// own message names internals (files, SQL) and goes to the log (see `answer`).
HttpResponse api_error_response(const ApiError& error);

/// Runs `call` for `request` behind the API's one failure boundary: a success as it is, a
/// failure as api_error_response renders it (a 500 logged with the method and path), and an
/// exception of any type as a 500 `internal` that names nothing of the cause (logged the same
/// way; never the query string, which can carry tokens).
HttpResponse answer(const HttpRequest& request, const std::function<ApiResult()>& call);

class ApiRouter {
 public:
  /// Serves `routes` (every route of the collector unless a test gives its own).
  explicit ApiRouter(ApiServices services, std::vector<RouteSpec> routes = api_routes());

  /// Never throws: every outcome of routing, authentication and the handler is a response.
  HttpResponse handle(const HttpRequest& request, const transport::PeerIdentity& peer);

 private:
  ApiResult dispatch(const HttpRequest& request, const transport::PeerIdentity& peer);

  struct Route {
    http::verb method;
    std::vector<std::string> segments;  ///< "{name}" segments capture
    Access access;
    Role min_role;
    RouteSpec::Handler handler;
  };

  ApiServices services_;
  std::vector<Route> routes_;
};

}  // namespace triage::collector
