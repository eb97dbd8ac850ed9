// The probes against real servers on 127.0.0.1: TCP reach, a TLS handshake with a test CA (a
// good and an expired certificate, verified and not against the trust store), an HTTP GET
// that follows a redirect, the listening sockets of this process, disk usage of a tree the
// test writes, and budgets that cut a probe short and say so.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "agent/probes/http_get_probe.hpp"
#include "agent/probes/probe_runner.hpp"
#include "agent/probes/probe_trust_store.hpp"
#include "tests/support/probe_test_server.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::agent;
using triage::testing::ProbeTestServer;

namespace {

const testing::ProbeTestPki& pki_set() {
  static const auto pki = testing::make_probe_test_pki();
  return pki;
}

v1::ProbePayload request(const std::string& probe, std::uint32_t time_ms = 10'000,
                         std::uint32_t output = 16 * 1024) {
  v1::ProbePayload p;
  p.set_probe_run_id("p-test");
  p.set_probe(probe);
  p.set_time_budget_ms(time_ms);
  p.set_output_budget_bytes(output);
  return p;
}

v1::ProbePayload reach(std::uint16_t port, bool tls, std::uint32_t time_ms = 10'000) {
  auto p = request("reach", time_ms);
  p.mutable_reach()->set_host("127.0.0.1");
  p.mutable_reach()->set_port(port);
  p.mutable_reach()->set_tls(tls);
  return p;
}

ProbeEnvironment trusting_test_ca() {
  ProbeEnvironment env;
  env.extra_trust_pem = pki_set().ca_pem;
  return env;
}

}  // namespace

TEST_CASE("reach: a listening port is reached, with the address used and the time",
          "[probes][network]") {
  ProbeTestServer server(ProbeTestServer::Mode::kHttp);
  auto result = run_probe(reach(server.port(), false), {});
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  const auto& r = result.reach();
  CHECK(r.connected());
  CHECK(r.address() == "127.0.0.1");
  CHECK(r.port() == server.port());
  CHECK(r.error().empty());
  CHECK_FALSE(result.budget_exceeded());
}

TEST_CASE("reach: a closed port is reported with the error, not as a failure of the probe",
          "[probes][network]") {
  std::uint16_t closed = 0;
  {
    ProbeTestServer server(ProbeTestServer::Mode::kHttp);
    closed = server.port();
  }
  auto result = run_probe(reach(closed, false), {});
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  CHECK_FALSE(result.reach().connected());
  CHECK_THAT(result.reach().error(), Catch::Contains("refused"));
}

TEST_CASE("reach with TLS: the chain, names, expiry and verification of a good certificate",
          "[probes][network][tls]") {
  ProbeTestServer server(ProbeTestServer::Mode::kHttps, pki_set().good_chain_pem,
                         pki_set().good_key_pem);
  auto result = run_probe(reach(server.port(), true), trusting_test_ca());
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  const auto& tls = result.reach().tls();
  CHECK(tls.error().empty());
  CHECK_THAT(tls.protocol(), Catch::StartsWith("TLSv1."));
  CHECK_FALSE(tls.cipher().empty());
  REQUIRE(tls.chain_size() >= 1);
  CHECK_THAT(tls.chain(0).subject(), Catch::Contains("localhost"));
  CHECK_THAT(tls.chain(0).issuer(), Catch::Contains("probe test CA"));
  CHECK(std::find(tls.chain(0).names().begin(), tls.chain(0).names().end(), "127.0.0.1") !=
        tls.chain(0).names().end());
  CHECK_FALSE(tls.chain(0).expired());
  CHECK(tls.chain(0).sha256().size() == 64);
  CHECK(tls.verified());
  CHECK(tls.verify_error().empty());
}

TEST_CASE("the TLS probes' trust store is loaded once and shared, and another site CA gets its own",
          "[probes][tls]") {
  X509_STORE* first = probe_trust_store(pki_set().ca_pem);
  X509_STORE* again = probe_trust_store(pki_set().ca_pem);
  REQUIRE(first != nullptr);
  CHECK(first == again);  // the system bundle is not parsed again for the next probe
  X509_STORE_free(again);
  X509_STORE* system_only = probe_trust_store("");
  REQUIRE(system_only != nullptr);
  CHECK(system_only != first);
  X509_STORE_free(system_only);
  X509_STORE_free(first);
  // And the store still verifies: a reach after the swaps trusts the test CA again.
  ProbeTestServer server(ProbeTestServer::Mode::kHttps, pki_set().good_chain_pem,
                         pki_set().good_key_pem);
  CHECK(run_probe(reach(server.port(), true), trusting_test_ca()).reach().tls().verified());
  CHECK_FALSE(run_probe(reach(server.port(), true), {}).reach().tls().verified());
}

TEST_CASE("reach with TLS: a certificate the trust store does not know is shown, not verified",
          "[probes][network][tls]") {
  ProbeTestServer server(ProbeTestServer::Mode::kHttps, pki_set().good_chain_pem,
                         pki_set().good_key_pem);
  auto result = run_probe(reach(server.port(), true), {});
  const auto& tls = result.reach().tls();
  REQUIRE(tls.chain_size() >= 1);
  CHECK_FALSE(tls.verified());
  CHECK_FALSE(tls.verify_error().empty());
}

TEST_CASE("reach with TLS: an expired certificate is marked expired and fails verification",
          "[probes][network][tls]") {
  ProbeTestServer server(ProbeTestServer::Mode::kHttps, pki_set().expired_chain_pem,
                         pki_set().expired_key_pem);
  auto result = run_probe(reach(server.port(), true), trusting_test_ca());
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  const auto& tls = result.reach().tls();
  REQUIRE(tls.chain_size() >= 1);
  CHECK(tls.chain(0).expired());
  CHECK(tls.chain(0).not_after_unix_ms() < tls.chain(0).not_before_unix_ms() + 9LL * 86400 * 1000);
  CHECK_FALSE(tls.verified());
  CHECK_THAT(tls.verify_error(), Catch::Contains("expired"));
}

TEST_CASE("budget: a TLS handshake the server never answers is cut and says so",
          "[probes][network][budget]") {
  ProbeTestServer server(ProbeTestServer::Mode::kSilent);
  auto result = run_probe(reach(server.port(), true, 300), {});
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  CHECK(result.budget_exceeded());
  CHECK_THAT(result.budget_note(), Catch::Contains("TLS handshake"));
  CHECK(result.reach().connected());
  CHECK_FALSE(result.reach().tls().error().empty());
  // The cut is the budget's, not the server's 5 s socket timeout.
  CHECK(result.duration_ms() < 3000);
}

TEST_CASE("http_get: a redirect is followed and the final status, timings and body prefix kept",
          "[probes][network][http]") {
  ProbeTestServer server(ProbeTestServer::Mode::kHttp);
  auto p = request("http_get");
  p.mutable_http_get()->set_url("http://127.0.0.1:" + std::to_string(server.port()) + "/redirect");
  p.mutable_http_get()->set_max_redirects(3);
  auto result = run_probe(p, {});
  INFO(result.DebugString());
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  const auto& r = result.http_get();
  REQUIRE(r.hops_size() == 2);
  CHECK(r.hops(0).status() == 302);
  CHECK(r.hops(0).location() == "/final");
  CHECK_THAT(r.hops(1).url(), Catch::EndsWith("/final"));
  CHECK(r.status() == 200);
  CHECK(r.body_prefix() == testing::kFinalBody);
  CHECK_FALSE(r.body_truncated());
  CHECK(r.content_type() == "text/plain");
  CHECK(r.error().empty());
}

TEST_CASE("http_get: a redirect beyond the request's bound is not followed",
          "[probes][network][http]") {
  ProbeTestServer server(ProbeTestServer::Mode::kHttp);
  auto p = request("http_get");
  p.mutable_http_get()->set_url("http://127.0.0.1:" + std::to_string(server.port()) + "/redirect");
  p.mutable_http_get()->set_max_redirects(0);
  auto result = run_probe(p, {});
  REQUIRE(result.http_get().hops_size() == 1);
  CHECK(result.http_get().status() == 302);
  CHECK_THAT(result.http_get().error(), Catch::Contains("redirect not followed"));
}

TEST_CASE("http_get over TLS: the hop carries the handshake's details", "[probes][network][http]") {
  ProbeTestServer server(ProbeTestServer::Mode::kHttps, pki_set().good_chain_pem,
                         pki_set().good_key_pem);
  auto p = request("http_get");
  p.mutable_http_get()->set_url("https://127.0.0.1:" + std::to_string(server.port()) + "/final");
  auto result = run_probe(p, trusting_test_ca());
  INFO(result.DebugString());
  REQUIRE(result.http_get().hops_size() == 1);
  CHECK(result.http_get().status() == 200);
  CHECK(result.http_get().hops(0).tls().verified());
  CHECK(result.http_get().body_prefix() == testing::kFinalBody);
}

TEST_CASE("http redirects resolve against the URL they came from", "[probes][http]") {
  CHECK(redirect_target("http://a.example:8080/x/y?q", "/final") == "http://a.example:8080/final");
  CHECK(redirect_target("https://a.example/x/y", "z") == "https://a.example:443/x/z");
  CHECK(redirect_target("https://a.example/", "http://b.example/") == "http://b.example/");
  CHECK(redirect_target("https://a.example/", "//c.example/p") == "https://c.example/p");
}

TEST_CASE("listening: a socket this process listens on is listed with this process",
          "[probes][linux]") {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  auto result = run_probe(request("listening", 10'000, 64 * 1024), {});
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  bool found = false;
  for (const auto& s : result.listening().sockets()) {
    if (s.port() == port && s.address() == "127.0.0.1" && s.protocol() == "tcp") {
      found = true;
      CHECK(s.pid() == static_cast<std::uint32_t>(::getpid()));
      CHECK_FALSE(s.process().empty());
    }
  }
  CHECK(found);
}

TEST_CASE("disk_usage: the largest directories first, with totals", "[probes]") {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "big" / "inner");
  std::filesystem::create_directories(dir.path() / "small");
  std::ofstream(dir.path() / "big" / "inner" / "blob") << std::string(256 * 1024, 'x');
  std::ofstream(dir.path() / "small" / "note") << "hi";
  auto p = request("disk_usage");
  p.mutable_disk_usage()->set_path(dir.path().string());
  p.mutable_disk_usage()->set_max_depth(2);
  p.mutable_disk_usage()->set_top(10);
  auto result = run_probe(p, {});
  REQUIRE(result.status() == v1::PROBE_COMPLETED);
  const auto& r = result.disk_usage();
  CHECK(r.files() == 2);
  CHECK(r.total_bytes() >= 256 * 1024);
  REQUIRE(r.largest_size() == 3);  // big and big/inner (either first on a tmpfs), then small
  CHECK(r.largest(0).bytes() >= r.largest(1).bytes());
  CHECK(r.largest(1).bytes() > r.largest(2).bytes());
  CHECK_THAT(r.largest(0).path() + r.largest(1).path(), Catch::Contains("/inner"));
  CHECK(r.largest(2).path() == (dir.path() / "small").string());
  CHECK_FALSE(result.budget_exceeded());
}

TEST_CASE("budget: a result over the output budget is cut and says so", "[probes][budget]") {
  testing::TempDir dir;
  for (int i = 0; i < 40; ++i) {
    std::filesystem::create_directories(dir.path() /
                                        ("directory-with-a-long-name-" + std::to_string(i)));
  }
  auto p = request("disk_usage", 10'000, 300);
  p.mutable_disk_usage()->set_path(dir.path().string());
  p.mutable_disk_usage()->set_max_depth(1);
  p.mutable_disk_usage()->set_top(50);
  auto result = run_probe(p, {});
  CHECK(result.budget_exceeded());
  CHECK_THAT(result.budget_note(), Catch::Contains("output budget"));
  CHECK(result.ByteSizeLong() < 300 + 512);
  CHECK(result.disk_usage().largest_size() < 40);
}
