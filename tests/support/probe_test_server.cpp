#include "tests/support/probe_test_server.hpp"

#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"

namespace triage::testing {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().message);
  return std::move(*r);
}

template <class Stream>
void answer(Stream& stream) {
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> req;
  boost::system::error_code ec;
  http::read(stream, buffer, req, ec);
  if (ec) return;
  http::response<http::string_body> res;
  res.version(11);
  res.set(http::field::connection, "close");
  if (req.target() == "/redirect") {
    res.result(http::status::found);
    res.set(http::field::location, "/final");
  } else if (req.target() == "/final") {
    res.result(http::status::ok);
    res.set(http::field::content_type, "text/plain");
    res.body() = kFinalBody;
  } else {
    res.result(http::status::not_found);
  }
  res.prepare_payload();
  http::write(stream, res, ec);
}

}  // namespace

ProbeTestPki make_probe_test_pki() {
  ProbeTestPki out;
  auto ca_key = must(pki::generate_p256_key(), "test CA key");
  auto ca = must(pki::make_ca_certificate(ca_key.get(), "probe test CA", std::chrono::hours(48)),
                 "test CA");
  out.ca_pem = must(pki::certificate_to_pem(ca.get()), "CA PEM");
  auto issue = [&](bool expired, std::string& chain, std::string& key_pem) {
    auto key = must(pki::generate_p256_key(), "server key");
    auto cert =
        must(pki::issue_server_certificate(ca.get(), ca_key.get(), key.get(), "localhost",
                                           {"localhost"}, {"127.0.0.1"}, std::chrono::hours(24)),
             "server certificate");
    if (expired) {
      // Valid from ten days ago until two days ago, signed again by the CA.
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -10L * 24 * 3600);
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), -2L * 24 * 3600);
      if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0) {
        throw std::runtime_error("re-signing the expired certificate");
      }
    }
    chain = must(pki::certificate_to_pem(cert.get()), "certificate PEM") + out.ca_pem;
    key_pem = must(pki::private_key_to_pem(key.get()), "key PEM");
  };
  issue(false, out.good_chain_pem, out.good_key_pem);
  issue(true, out.expired_chain_pem, out.expired_key_pem);
  return out;
}

struct ProbeTestServer::Impl {
  net::io_context ioc;
  net::ssl::context ctx{net::ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  std::vector<tcp::socket> held;  // kSilent: accepted and never answered
};

ProbeTestServer::ProbeTestServer(Mode mode, const std::string& chain_pem,
                                 const std::string& key_pem)
    : impl_(new Impl), mode_(mode) {
  if (mode == Mode::kHttps) {
    impl_->ctx.use_certificate_chain(net::buffer(chain_pem));
    impl_->ctx.use_private_key(net::buffer(key_pem), net::ssl::context::pem);
  }
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

ProbeTestServer::~ProbeTestServer() {
  stopping_ = true;
  // Wakes the blocking accept.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
}

void ProbeTestServer::serve() {
  while (!stopping_) {
    tcp::socket socket(impl_->ioc);
    boost::system::error_code ec;
    impl_->acceptor.accept(socket, ec);
    if (ec || stopping_) return;
    ++connections_;
    // A client that stops talking cannot hold this thread for long.
    timeval tv{5, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    switch (mode_) {
      case Mode::kSilent:
        impl_->held.push_back(std::move(socket));
        break;
      case Mode::kHttp:
        answer(socket);
        break;
      case Mode::kHttps: {
        net::ssl::stream<tcp::socket&> stream(socket, impl_->ctx);
        stream.handshake(net::ssl::stream_base::server, ec);
        if (!ec) {
          answer(stream);
          stream.shutdown(ec);
        }
        break;
      }
    }
  }
}

}  // namespace triage::testing
