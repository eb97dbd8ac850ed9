// /metrics tells anyone who reads it how many agents there are, what is refused and how busy
// the collector is: it is served on the staff listener, or to a bearer of the metrics token,
// never to whoever can reach the agent port.

#include <catch2/catch.hpp>

#include "shared/transport/https_client.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage;
using namespace triage::testing;
namespace http = transport::http;

namespace {

Result<transport::HttpResponse> get_metrics(CollectorFixture& c, std::uint16_t port,
                                            const std::string& bearer = "") {
  auto tls = transport::make_client_tls_context({c.ca_pem(), "", ""});
  REQUIRE(tls);
  transport::HttpRequest req{http::verb::get, "/metrics", 11};
  req.set(http::field::host, "127.0.0.1");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  req.prepare_payload();
  return transport::https_request(**tls, "127.0.0.1", std::to_string(port), std::move(req));
}

}  // namespace

TEST_CASE("/metrics is not served unauthenticated on the agent port", "[integration]") {
  // No token configured: the staff listener alone serves it.
  CollectorFixture c("staff_listen = \"127.0.0.1:0\"\n[metrics]\n");
  auto agent_port = get_metrics(c, c.port());
  REQUIRE(agent_port);
  CHECK(agent_port->result() == http::status::not_found);
  CHECK(agent_port->body().find("triage_") == std::string::npos);
  CHECK_THAT(agent_port->body(), Catch::Contains("staff listener"));
  auto staff_port = get_metrics(c, c.staff_port());
  REQUIRE(staff_port);
  CHECK(staff_port->result() == http::status::ok);
  CHECK_THAT(staff_port->body(), Catch::Contains("triage_connected_agents"));
}

TEST_CASE("/metrics with a token configured needs that bearer token", "[integration]") {
  CollectorFixture c;  // the fixture configures [metrics] token_file
  auto anonymous = get_metrics(c, c.port());
  REQUIRE(anonymous);
  CHECK(anonymous->result() == http::status::unauthorized);
  CHECK(anonymous->body().find("triage_") == std::string::npos);
  auto wrong = get_metrics(c, c.port(), "not-the-metrics-token");
  REQUIRE(wrong);
  CHECK(wrong->result() == http::status::unauthorized);
  auto right = get_metrics(c, c.port(), c.metrics_token());
  REQUIRE(right);
  CHECK(right->result() == http::status::ok);
  CHECK_THAT(right->body(), Catch::Contains("triage_connected_agents"));
}
