#include "shared/transport/https_client.hpp"

#include "shared/transport/one_shot_request.hpp"

namespace triage::transport {

Result<HttpResponse> https_request(boost::asio::ssl::context& tls, const std::string& host,
                                   const std::string& port, HttpRequest request,
                                   const HttpsRequestOptions& options) {
  return run_one_shot<boost::beast::ssl_stream<boost::beast::tcp_stream>>(
      host, port, std::move(request), options, tls);
}

}  // namespace triage::transport
