#include "agent/probes/probe_connection.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>

#include "agent/probes/deadline_io.hpp"
#include "agent/probes/probe_trust_store.hpp"
#include "agent/probes/system_resolver.hpp"
#include "agent/probes/tls_inspect.hpp"
#include "shared/probes/probe_params.hpp"

namespace triage::agent {

namespace net = boost::asio;
using tcp = net::ip::tcp;

ProbeConnection::ProbeConnection(const ProbeEnvironment& env)
    : ctx_(net::ssl::context::tls_client), extra_trust_pem_(env.extra_trust_pem) {
  // The handshake must complete whatever the chain is: its verdict is reported, not enforced.
  ctx_.set_verify_mode(net::ssl::verify_none);
  stream_ = std::make_unique<net::ssl::stream<tcp::socket>>(ioc_, ctx_);
}

ConnectReport ProbeConnection::open(const std::string& host, std::uint16_t port, bool tls,
                                    const std::string& server_name, ProbeBudget& budget) {
  ConnectReport report;
  auto resolved = resolve_system(host, budget.deadline());
  report.resolve_ms = resolved.duration_ms;
  if (resolved.timed_out) budget.cut("time budget ran out while resolving " + host);
  if (!resolved.error.empty()) {
    report.error = "resolving " + host + ": " + resolved.error;
    return report;
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& address : resolved.addresses) {
    report.addresses.push_back(address);
    boost::system::error_code ec;
    auto ip = net::ip::make_address(address, ec);
    // A name may resolve to what the parameters could never name directly.
    if (ec || !probes::check_host(address, "address")) continue;
    endpoints.emplace_back(ip, port);
  }
  if (endpoints.empty()) {
    report.error = "resolving " + host + ": no address that names one host";
    return report;
  }
  const auto start = ProbeBudget::Clock::now();
  tcp::endpoint tried;
  auto ec = run_until(
      ioc_, budget.deadline(),
      [&](Done done) {
        net::async_connect(
            socket(), endpoints,
            [&tried](const boost::system::error_code&, const tcp::endpoint& next) {
              tried = next;
              return true;
            },
            [done](const boost::system::error_code& e, const tcp::endpoint&) { done(e); });
      },
      [&] {
        boost::system::error_code ignored;
        socket().close(ignored);
      });
  report.connect_ms = elapsed_ms(start);
  report.address = tried.address().to_string();
  if (ec == net::error::timed_out) budget.cut("time budget ran out while connecting");
  if (ec) {
    report.error =
        "connecting to " + report.address + " port " + std::to_string(port) + ": " + ec.message();
    return report;
  }
  report.connected = true;
  if (!tls) return report;
  tls_ = true;
  v1::TlsInfo info;
  // The trust store only now: a plain connection never pays for loading it.
  X509_STORE* store = probe_trust_store(extra_trust_pem_);
  if (store != nullptr) {
    SSL_CTX_set1_cert_store(ctx_.native_handle(), store);
    X509_STORE_free(store);
  }
  const std::string& name = server_name.empty() ? host : server_name;
  expect_peer(stream_->native_handle(), name);
  const auto hs_start = ProbeBudget::Clock::now();
  ec = run_until(
      ioc_, budget.deadline(),
      [&](Done done) {
        stream_->async_handshake(net::ssl::stream_base::client,
                                 [done](const boost::system::error_code& e) { done(e); });
      },
      [&] {
        boost::system::error_code ignored;
        socket().close(ignored);
      });
  info.set_handshake_ms(elapsed_ms(hs_start));
  if (ec == net::error::timed_out) budget.cut("time budget ran out during the TLS handshake");
  if (ec) {
    info.set_error(ec.message());
    report.error = "TLS handshake with " + report.address + ": " + ec.message();
  } else {
    inspect_tls(stream_->native_handle(), info);
    if (store == nullptr) {
      info.set_verified(false);
      info.set_verify_error("this PC's trust store could not be loaded");
    }
  }
  report.tls = std::move(info);
  return report;
}

}  // namespace triage::agent
