#include "shared/transport/http_client.hpp"

#include "shared/transport/one_shot_request.hpp"

namespace triage::transport {

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  boost::beast::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

Result<HttpResponse> http_request(const std::string& host, const std::string& port,
                                  HttpRequest request, const HttpsRequestOptions& options) {
  return run_one_shot<boost::beast::tcp_stream>(host, port, std::move(request), options);
}

}  // namespace triage::transport
