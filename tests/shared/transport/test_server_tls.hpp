#pragma once
// A throwaway CA and a server certificate for 127.0.0.1, for transport tests that run a real
// TLS server on loopback.

#include <chrono>
#include <stdexcept>
#include <string>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/transport/tls_context.hpp"

namespace triage::testing {

template <class T>
T must(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(*r);
}

struct TestServerTls {
  std::string ca_pem;
  transport::SslContextPtr context;
};

/// A new CA (P-256, a day long) and a server context with a certificate it issued for
/// localhost and 127.0.0.1.
inline TestServerTls make_test_server_tls() {
  using namespace std::chrono_literals;
  auto ca_key = must(pki::generate_p256_key());
  auto ca = must(pki::make_ca_certificate(ca_key.get(), "transport test CA", 24h));
  auto key = must(pki::generate_p256_key());
  auto cert = must(pki::issue_server_certificate(ca.get(), ca_key.get(), key.get(), "localhost",
                                                 {"localhost"}, {"127.0.0.1"}, 24h));
  TestServerTls out;
  out.ca_pem = must(pki::certificate_to_pem(ca.get()));
  out.context = must(
      transport::make_server_tls_context({must(pki::certificate_to_pem(cert.get())) + out.ca_pem,
                                          must(pki::private_key_to_pem(key.get())), out.ca_pem}));
  return out;
}

}  // namespace triage::testing
