#pragma once
// Routes REST requests to handlers, authenticates them, and turns every failure into the
// API's JSON error shape. Handlers are synchronous and run on the blocking worker pool.

#include <string>
#include <vector>

#include "collector/api/api_context.hpp"

namespace triage::collector {

enum class Access { kPublic, kAuthenticated };

/// One REST route: who may call it and what answers it.
struct RouteSpec {
  using Handler = HttpResponse (*)(ApiServices&, ApiRequest&);
  http::verb method;
  std::string pattern;  ///< "/api/v1/tickets/{id}": "{name}" segments capture
  Access access;
  Role min_role;  ///< for kAuthenticated routes
  Handler handler;
};

/// Every route the collector serves. The OpenAPI document must list exactly these, with the
/// same roles (a test holds the two together).
std::vector<RouteSpec> api_routes();

class ApiRouter {
 public:
  explicit ApiRouter(ApiServices services);

  HttpResponse handle(const HttpRequest& request, const transport::PeerIdentity& peer);

 private:
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
