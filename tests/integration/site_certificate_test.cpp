// The site's own certificate on the staff listener (`[staff_tls]`): people's clients trust the
// site's CA while agents keep pinning the collector's; SIGHUP serves a renewed pair to new
// connections without dropping open ones, and a bad pair is refused at start and at reload.

#include <signal.h>

#include <catch2/catch.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/util/files.hpp"
#include "tests/support/collector_fixture.hpp"

using namespace triage;
using namespace triage::testing;
using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = transport::http;

namespace {

/// A certificate and key as the site's CA would hand them to an operator.
struct SitePair {
  std::string chain_pem;  ///< leaf, then the site CA
  std::string key_pem;
  std::string sha256;  ///< of the leaf
};

/// The site's own CA (the one browsers already trust), apart from the collector's.
class SiteCa {
 public:
  SiteCa() {
    auto key = pki::generate_p256_key();
    REQUIRE(key);
    key_ = std::move(*key);
    auto ca = pki::make_ca_certificate(key_.get(), "Example Site CA", 24h);
    REQUIRE(ca);
    ca_ = std::move(*ca);
  }

  std::string ca_pem() const { return pki::certificate_to_pem(ca_.get()).value(); }

  /// A server certificate for 127.0.0.1; `expired`: its validity ended an hour ago.
  SitePair issue(const std::string& name, bool expired = false) const {
    auto key = pki::generate_p256_key();
    REQUIRE(key);
    auto cert = pki::issue_server_certificate(ca_.get(), key_.get(), key->get(), name,
                                              {"localhost"}, {"127.0.0.1"}, 24h);
    REQUIRE(cert);
    if (expired) {
      REQUIRE(X509_gmtime_adj(X509_getm_notBefore(cert->get()), -7200) != nullptr);
      REQUIRE(X509_gmtime_adj(X509_getm_notAfter(cert->get()), -3600) != nullptr);
      REQUIRE(X509_sign(cert->get(), key_.get(), EVP_sha256()) > 0);
    }
    SitePair pair;
    pair.chain_pem = pki::certificate_to_pem(cert->get()).value() + ca_pem();
    pair.key_pem = pki::private_key_to_pem(key->get()).value();
    pair.sha256 = pki::certificate_sha256(cert->get()).value();
    return pair;
  }

 private:
  pki::PKeyPtr key_;
  pki::X509Ptr ca_;
};

/// Where the operator keeps the site's files.
struct SiteFiles {
  SiteFiles() = default;
  explicit SiteFiles(const SitePair& pair) { install(pair); }

  TempDir dir;
  std::filesystem::path certificate = dir.path() / "site.pem";
  std::filesystem::path key = dir.path() / "site.key";

  void install(const SitePair& pair, unsigned key_mode = 0600) const {
    REQUIRE(write_file_atomic(certificate, pair.chain_pem, 0644));
    REQUIRE(write_file_atomic(key, pair.key_pem, key_mode));
  }
  /// The configuration of a collector serving them on its staff listener.
  std::string config(bool staff_listener = true) const {
    return (staff_listener ? "staff_listen = \"127.0.0.1:0\"\n" : "") +
           std::string("[staff_tls]\ncertificate = \"") + certificate.string() + "\"\nkey = \"" +
           key.string() + "\"\n";
  }
};

/// A collector whose staff listener serves a first certificate of the site's CA.
struct SiteServedCollector {
  SiteCa site;
  SitePair first = site.issue("staff.example.internal");
  SiteFiles files{first};
  CollectorFixture c{files.config()};
};

/// One TLS connection to 127.0.0.1:`port` that verifies nothing, to see which certificate a
/// listener presents; it can send requests later on the same connection (keep-alive).
class RawTlsConnection {
 public:
  explicit RawTlsConnection(std::uint16_t port) {
    ctx_.set_verify_mode(ssl::verify_none);
    auto& tcp = beast::get_lowest_layer(stream_);
    tcp.expires_after(10s);
    tcp.async_connect({net::ip::make_address("127.0.0.1"), port},
                      [this](beast::error_code ec) { ec_ = ec; });
    run();
    REQUIRE_FALSE(ec_);
    tcp.expires_after(10s);
    stream_.async_handshake(ssl::stream_base::client, [this](beast::error_code ec) { ec_ = ec; });
    run();
    REQUIRE_FALSE(ec_);
  }

  /// SHA-256 of the certificate the listener presented.
  std::string presented_sha256() {
    X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
    REQUIRE(cert != nullptr);
    pki::X509Ptr owned(cert);
    return pki::certificate_sha256(cert).value();
  }

  /// GET `target` on this connection; the status.
  int get(const std::string& target) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    beast::get_lowest_layer(stream_).expires_after(10s);
    http::async_write(stream_, req, [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    REQUIRE_FALSE(ec_);
    http::response<http::string_body> res;
    beast::flat_buffer buffer;
    http::async_read(stream_, buffer, res, [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    INFO(ec_.message());
    REQUIRE_FALSE(ec_);
    return res.result_int();
  }

 private:
  void run() {
    ioc_.restart();
    ioc_.run();
  }

  net::io_context ioc_;
  ssl::context ctx_{ssl::context::tls_client};
  beast::ssl_stream<beast::tcp_stream> stream_{ioc_, ctx_};
  beast::error_code ec_;
};

std::string presented_sha256(std::uint16_t port) {
  return RawTlsConnection(port).presented_sha256();
}

std::string collector_certificate_sha256(CollectorFixture& c) {
  auto pem = read_file(c.data_dir() / "pki" / "server.pem");
  REQUIRE(pem);
  auto cert = pki::certificate_from_pem(*pem);
  REQUIRE(cert);
  return pki::certificate_sha256(cert->get()).value();
}

/// GET /healthz by a client that trusts only the site's CA (as a browser does) and checks the
/// address in the certificate.
int health_trusting(const std::string& ca_pem, std::uint16_t port) {
  auto tls = transport::make_client_tls_context({ca_pem, "", ""});
  REQUIRE(tls);
  transport::HttpRequest req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "127.0.0.1");
  auto res = transport::https_request(**tls, "127.0.0.1", std::to_string(port), std::move(req));
  if (!res) return 0;
  return res->result_int();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// `serve` of a fresh data directory with `config`, expected to refuse to start.
CommandResult serve_refused(const std::string& config) {
  TempDir dir;
  const auto data = dir.path() / "collector";
  auto init =
      run_command({binary("triage-collector"), "init", "--data", data.string()}, dir.path());
  REQUIRE(init.exit_code == 0);
  const auto file = dir.path() / "collector.toml";
  REQUIRE(write_file_atomic(file, config, 0644));
  return run_command({binary("triage-collector"), "serve", "--data", data.string(), "--listen",
                      "127.0.0.1:0", "--config", file.string()},
                     dir.path());
}

}  // namespace

TEST_CASE(
    "Site certificate: the staff listener presents the site's certificate, the agent "
    "listener the collector's own",
    "[integration][site-certificate]") {
  SiteServedCollector served;
  auto& c = served.c;
  auto& site = served.site;
  REQUIRE(c.staff_port() != 0);

  CHECK(presented_sha256(c.staff_port()) == served.first.sha256);
  CHECK(presented_sha256(c.port()) == collector_certificate_sha256(c));
  // A browser that trusts the site's CA, and not the collector's, reaches the staff listener.
  CHECK(health_trusting(site.ca_pem(), c.staff_port()) == 200);
  CHECK(health_trusting(site.ca_pem(), c.port()) == 0);
  // Agents still enroll and connect, pinning the collector's CA on the agent listener.
  AgentFixture agent(c, "a1");
  REQUIRE(agent.enroll().exit_code == 0);
  agent.start();
  CHECK(eventually([&] { return device_online(c, agent.device_id()); }));
}

TEST_CASE(
    "Site certificate: SIGHUP serves a renewed pair to new connections while open agent "
    "and staff connections stay",
    "[integration][site-certificate]") {
  SiteServedCollector s;
  AgentFixture agent(s.c, "reporting");
  REQUIRE(agent.enroll().exit_code == 0);
  const auto id = agent.device_id();
  agent.start({"--report-interval", "2"});
  REQUIRE(eventually([&] { return device_online(s.c, id) && !s.c.reports(id).empty(); }, 60s));
  RawTlsConnection staff(s.c.staff_port());
  REQUIRE(staff.get("/healthz") == 200);
  REQUIRE(staff.presented_sha256() == s.first.sha256);

  const auto renewed = s.site.issue("staff.example.internal");
  s.files.install(renewed);
  REQUIRE(::kill(s.c.process().pid(), SIGHUP) == 0);
  CHECK(eventually([&] { return presented_sha256(s.c.staff_port()) == renewed.sha256; }));
  CHECK(health_trusting(s.site.ca_pem(), s.c.staff_port()) == 200);
  CHECK(presented_sha256(s.c.port()) == collector_certificate_sha256(s.c));

  // The staff connection opened before the reload still answers, with its old certificate.
  CHECK(staff.get("/healthz") == 200);
  CHECK(staff.presented_sha256() == s.first.sha256);
  // The agent's WebSocket stayed open: it keeps reporting on the one connection it had.
  const auto before = s.c.reports(id).size();
  CHECK(eventually([&] { return s.c.reports(id).size() >= before + 2; }, 30s));
  CHECK(device_online(s.c, id));
  const auto log = s.c.process().stderr_text();
  INFO(log);
  CHECK(count(log, "device " + id + " connected from") == 1);
  CHECK(log.find("site certificate CN=staff.example.internal (sha256 " + renewed.sha256) !=
        std::string::npos);
  CHECK(s.c.process().running());
}

TEST_CASE(
    "Site certificate: a corrupt or mismatched pair at SIGHUP is refused and the old "
    "one stays in use",
    "[integration][site-certificate]") {
  SiteServedCollector s;

  REQUIRE(write_file_atomic(s.files.certificate, "-----BEGIN CERTIFICATE-----\ngarbage\n", 0644));
  REQUIRE(::kill(s.c.process().pid(), SIGHUP) == 0);
  const std::string refused =
      "the site certificate is refused, still serving sha256 " + s.first.sha256;
  CHECK(eventually([&] { return count(s.c.process().stderr_text(), refused) == 1; }));
  CHECK(presented_sha256(s.c.staff_port()) == s.first.sha256);

  // A valid certificate beside a key that is not its own.
  const auto other = s.site.issue("staff.example.internal");
  REQUIRE(write_file_atomic(s.files.certificate, other.chain_pem, 0644));
  REQUIRE(write_file_atomic(s.files.key, s.first.key_pem, 0600));
  REQUIRE(::kill(s.c.process().pid(), SIGHUP) == 0);
  CHECK(eventually([&] { return count(s.c.process().stderr_text(), refused) == 2; }));
  CHECK_THAT(s.c.process().stderr_text(), Catch::Contains("does not match the certificate"));

  CHECK(s.c.process().running());
  CHECK(presented_sha256(s.c.staff_port()) == s.first.sha256);
  CHECK(health_trusting(s.site.ca_pem(), s.c.staff_port()) == 200);
}

TEST_CASE(
    "Site certificate: serve refuses to start with an expired, mismatched, unreadable or "
    "exposed pair, or without a staff listener",
    "[integration][site-certificate]") {
  SiteCa site;
  SiteFiles files;
  const auto good = site.issue("staff.example.internal");

  files.install(site.issue("staff.example.internal", /*expired=*/true));
  auto expired = serve_refused(files.config());
  CHECK(expired.exit_code == 1);
  CHECK_THAT(expired.err, Catch::Contains("expired on"));

  files.install(good);
  REQUIRE(write_file_atomic(files.key, site.issue("other").key_pem, 0600));
  auto mismatched = serve_refused(files.config());
  CHECK(mismatched.exit_code == 1);
  CHECK_THAT(mismatched.err, Catch::Contains("does not match the certificate"));

  files.install(good);
  std::filesystem::remove(files.certificate);
  auto missing = serve_refused(files.config());
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains(files.certificate.string()));

  files.install(good, 0644);
  auto exposed = serve_refused(files.config());
  CHECK(exposed.exit_code == 1);
  CHECK_THAT(exposed.err, Catch::Contains("readable by others"));

  files.install(good);
  auto agent_port_only = serve_refused(files.config(/*staff_listener=*/false));
  CHECK(agent_port_only.exit_code == 1);
  CHECK_THAT(agent_port_only.err, Catch::Contains("set staff_listen too"));
}
