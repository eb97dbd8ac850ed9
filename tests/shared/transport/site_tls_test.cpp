// The staff listener's TLS context for a site certificate: RSA keys served to TLS 1.2 clients
// that offer RSA suites only (site CAs issue RSA), TLS 1.3 as well, no client certificate asked
// for, and a key that is not the certificate's refused. A real server on 127.0.0.1.

#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include <openssl/rsa.h>
#include <openssl/ssl.h>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/tls_context.hpp"
#include "tests/shared/transport/loopback_tls_server.hpp"

using namespace triage;
using namespace std::chrono_literals;
using testing::must;

namespace {

class OkApp final : public transport::ServerApplication {
 public:
  void handle_http(transport::HttpRequest, const transport::PeerIdentity& peer,
                   transport::Respond respond) override {
    transport::HttpResponse res{transport::http::status::ok, 11};
    res.body() = peer.has_verified_certificate ? "with a client certificate" : "anonymous";
    respond(std::move(res));
  }
  void accept_websocket(const transport::HttpRequest&, const transport::PeerIdentity&,
                        transport::Decide decide) override {
    decide({});
  }
};

int get_root(boost::asio::ssl::context& client, std::uint16_t port) {
  transport::HttpRequest req{transport::http::verb::get, "/", 11};
  auto res = transport::https_request(client, "127.0.0.1", std::to_string(port), std::move(req));
  if (!res) return 0;
  CHECK(res->body() == "anonymous");
  return res->result_int();
}

}  // namespace

TEST_CASE("Site TLS: an RSA site certificate serves TLS 1.2 clients with RSA suites and TLS 1.3",
          "[integration]") {
  auto ca_key = must(pki::generate_p256_key());
  auto ca = must(pki::make_ca_certificate(ca_key.get(), "Example Site CA", 24h));
  const auto ca_pem = must(pki::certificate_to_pem(ca.get()));
  pki::PKeyPtr rsa(EVP_RSA_gen(2048));
  REQUIRE(rsa);
  auto leaf = must(pki::issue_server_certificate(ca.get(), ca_key.get(), rsa.get(), "localhost",
                                                 {"localhost"}, {"127.0.0.1"}, 24h));
  const auto chain = must(pki::certificate_to_pem(leaf.get())) + ca_pem;
  auto site = must(
      transport::make_site_server_tls_context(chain, must(pki::private_key_to_pem(rsa.get()))));

  OkApp app;
  boost::asio::io_context ioc;
  transport::ServerOptions options;
  options.endpoint = {boost::asio::ip::make_address("127.0.0.1"), 0};
  transport::Server server(ioc, *site, app, options);
  REQUIRE(server.start());
  std::thread io([&] { ioc.run(); });

  // A TLS 1.2 client that offers RSA authentication only, trusting the site's CA.
  auto tls12 = must(transport::make_public_client_tls_context(ca_pem));
  REQUIRE(SSL_CTX_set_max_proto_version(tls12->native_handle(), TLS1_2_VERSION) == 1);
  REQUIRE(SSL_CTX_set_cipher_list(tls12->native_handle(), "ECDHE-RSA-AES128-GCM-SHA256") == 1);
  CHECK(get_root(*tls12, server.port()) == 200);
  // A TLS 1.3 client, with a client certificate it is never asked for.
  auto client_key = must(pki::generate_p256_key());
  auto client_cert = must(pki::issue_server_certificate(ca.get(), ca_key.get(), client_key.get(),
                                                        "client", {"client"}, {}, 24h));
  auto tls13 = must(
      transport::make_client_tls_context({ca_pem, must(pki::certificate_to_pem(client_cert.get())),
                                          must(pki::private_key_to_pem(client_key.get()))}));
  CHECK(get_root(*tls13, server.port()) == 200);

  server.stop();
  ioc.stop();
  io.join();

  // Another key beside the certificate: refused, naming the mismatch.
  auto other = must(pki::generate_p256_key());
  auto mismatched =
      transport::make_site_server_tls_context(chain, must(pki::private_key_to_pem(other.get())));
  REQUIRE_FALSE(mismatched);
  CHECK_THAT(mismatched.error().message, Catch::Contains("site TLS identity"));
}
