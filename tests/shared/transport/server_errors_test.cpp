// The errors the server answers itself (here: a request body over the limit) come in the
// application's own shape: the transport renders no body of its own beyond plain text.
// A real TLS server on 127.0.0.1 and the one-shot HTTPS client.

#include <catch2/catch.hpp>

#include <string>

#include "shared/transport/https_client.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/tls_context.hpp"
#include "tests/shared/transport/loopback_tls_server.hpp"

using namespace triage;
using testing::must;

namespace {

class PlainApp : public transport::ServerApplication {
 public:
  void handle_http(transport::HttpRequest, const transport::PeerIdentity&,
                   transport::Respond respond) override {
    respond(transport::HttpResponse{transport::http::status::ok, 11});
  }
  void accept_websocket(const transport::HttpRequest&, const transport::PeerIdentity&,
                        transport::Decide decide) override {
    decide({});
  }
};

class ShapedApp final : public PlainApp {
 public:
  transport::HttpResponse error_response(transport::http::status status, std::string_view code,
                                         std::string_view message) const override {
    transport::HttpResponse res{status, 11};
    res.set(transport::http::field::content_type, "application/x-shape");
    res.body() = "shape[" + std::string(code) + "|" + std::string(message) + "]";
    return res;
  }
};

transport::HttpResponse post_too_large(testing::LoopbackTlsServer& server) {
  auto tls = must(transport::make_client_tls_context({server.ca_pem(), "", ""}));
  transport::HttpRequest request{transport::http::verb::post, "/anything", 11};
  request.body() = std::string(4096, 'x');
  return must(transport::https_request(*tls, "127.0.0.1", std::to_string(server.port()), request));
}

transport::ServerOptions small_bodies() {
  transport::ServerOptions options;
  options.max_http_body_bytes = 1024;
  return options;
}

}  // namespace

TEST_CASE("the server's own errors are rendered by the application", "[integration]") {
  ShapedApp app;
  testing::LoopbackTlsServer server(app, small_bodies());
  auto response = post_too_large(server);
  CHECK(response.result() == transport::http::status::payload_too_large);
  CHECK(response[transport::http::field::content_type] == "application/x-shape");
  CHECK(response.body() == "shape[payload_too_large|request body is larger than 1024 bytes]");
  CHECK_FALSE(response.keep_alive());
}

TEST_CASE("without an application shape the server's own errors are plain text", "[integration]") {
  PlainApp app;
  testing::LoopbackTlsServer server(app, small_bodies());
  auto response = post_too_large(server);
  CHECK(response.result() == transport::http::status::payload_too_large);
  CHECK(response[transport::http::field::content_type] == "text/plain; charset=utf-8");
  CHECK(response.body() == "request body is larger than 1024 bytes\n");
}
