#pragma once
// Routes REST requests to handlers, authenticates them, and turns every failure into the
// API's JSON error shape. Handlers are synchronous and run on the blocking worker pool.

#include <functional>
#include <string>
#include <vector>

#include "collector/api/api_context.hpp"

namespace triage::collector {

enum class Access { kPublic, kAuthenticated };

class ApiRouter {
 public:
  using Handler = std::function<HttpResponse(ApiServices&, ApiRequest&)>;

  explicit ApiRouter(ApiServices services);

  HttpResponse handle(const HttpRequest& request, const transport::PeerIdentity& peer);

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;  ///< "{name}" segments capture
    Access access;
    Role min_role;
    Handler handler;
  };
  void add(http::verb method, std::string_view pattern, Access access, Role min_role,
           Handler handler);

  ApiServices services_;
  std::vector<Route> routes_;
};

}  // namespace triage::collector
