#include "collector/api/openapi_api.hpp"

#include "collector/api/openapi_document.hpp"

namespace triage::collector {

ApiResult handle_openapi(ApiServices&, ApiRequest&) {
  HttpResponse res{http::status::ok, 11};
  res.set(http::field::content_type, "application/json");
  // The document changes only with the binary; clients may keep it for a while.
  res.set(http::field::cache_control, "public, max-age=300");
  res.body() = std::string(openapi_document());
  res.prepare_payload();
  return res;
}

}  // namespace triage::collector
