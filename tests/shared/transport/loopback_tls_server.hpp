#pragma once
// A real TLS server for transport tests: a throwaway CA and a certificate for 127.0.0.1,
// transport::Server on a free loopback port with two I/O threads, and the refusals it
// reported (on_connection_refused).

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/transport/server.hpp"
#include "shared/transport/tls_context.hpp"

namespace triage::testing {

template <class T>
T must(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(*r);
}

class LoopbackTlsServer {
 public:
  /// Serves `app` with `options` (endpoint and on_connection_refused are set here).
  LoopbackTlsServer(transport::ServerApplication& app, transport::ServerOptions options) {
    using namespace std::chrono_literals;
    auto ca_key = must(pki::generate_p256_key());
    auto ca = must(pki::make_ca_certificate(ca_key.get(), "transport test CA", 24h));
    auto key = must(pki::generate_p256_key());
    auto cert = must(pki::issue_server_certificate(ca.get(), ca_key.get(), key.get(), "localhost",
                                                   {"localhost"}, {"127.0.0.1"}, 24h));
    ca_pem_ = must(pki::certificate_to_pem(ca.get()));
    tls_ = must(transport::make_server_tls_context(
        {must(pki::certificate_to_pem(cert.get())) + ca_pem_,
         must(pki::private_key_to_pem(key.get())), ca_pem_, nullptr}));
    options.endpoint = {boost::asio::ip::make_address("127.0.0.1"), 0};
    options.on_connection_refused = [this](std::string_view reason) {
      std::lock_guard lock(mutex_);
      refusals_.emplace_back(reason);
    };
    server_ = std::make_unique<transport::Server>(ioc_, *tls_, app, options);
    if (auto r = server_->start(); !r) throw std::runtime_error(r.error().message);
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~LoopbackTlsServer() {
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  LoopbackTlsServer(const LoopbackTlsServer&) = delete;
  LoopbackTlsServer& operator=(const LoopbackTlsServer&) = delete;

  transport::Server& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }
  const std::string& ca_pem() const { return ca_pem_; }
  std::vector<std::string> refusals() {
    std::lock_guard lock(mutex_);
    return refusals_;
  }
  bool refused(const std::string& reason) {
    auto all = refusals();
    return std::find(all.begin(), all.end(), reason) != all.end();
  }

 private:
  boost::asio::io_context ioc_{2};
  std::string ca_pem_;
  transport::SslContextPtr tls_;
  std::unique_ptr<transport::Server> server_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::vector<std::string> refusals_;
};

}  // namespace triage::testing
